// The one rate-limited password check, for the API and page sign-in and for the account page's
// "current password". The attempt is counted first, in one atomic upsert per limit, and refused with
// 429 when that goes over: however many attempts race, at most `max` reach the hash. A right password
// then clears `clearKey` and gives back its count on the other limits, so only failures add up.
import type { Deps } from "../deps";
import { clearRateLimit, hitRateLimit, refundRateLimit, type Limit } from "../rate-limits/service";

export interface LimitedPasswordCheck {
  /** The stored hash; null (no user, or no password yet) never matches but costs the same time. */
  hash: string | null;
  password: string;
  limits: Limit[];
  /** The counter a right password clears (its failures were the user's own typos). */
  clearKey: string;
}

/** True when the password matches; throws 429 before hashing when a limit is used up. */
export async function verifyPasswordLimited(deps: Deps, check: LimitedPasswordCheck): Promise<boolean> {
  await hitRateLimit(deps, ...check.limits);
  const ok = await deps.hasher.verify(check.hash, check.password);
  if (!ok) return false;
  await clearRateLimit(deps, check.clearKey);
  await refundRateLimit(deps, ...check.limits.filter((l) => l.key !== check.clearKey));
  return true;
}
