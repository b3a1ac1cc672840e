// The account pages' domain: signing in to the pages (a session of kind "account", never a seat),
// and the overview of licenses and devices. Revoking sessions is src/sessions/revoke.ts.
import type { User } from "../../db/schema";
import { verifyCredentials } from "../auth/service";
import type { Deps } from "../deps";
import { revokeSession } from "../sessions/revoke";
import { createSession } from "../sessions/service";
import { findSessionOfUser, listLiveSessions, toSessionView, type SessionView } from "../sessions/view";
import { seatSummary, type ProductSeats, type SeatSummary } from "../seats/summary";
import type { ClientInfo } from "../lib/client-info";
import { productNames } from "../licenses/service";
import { timeAgo, timeUntil } from "../lib/time-text";
import { describeDevice, type DeviceType, deviceType, place } from "../sessions/device";

export interface AccountSessionRow extends SessionView {
  /** The display name of the product whose seat it holds (its id when it has none); null: none. */
  product: string | null;
  device: string;
  deviceType: DeviceType;
  place: string | null;
  lastActive: string;
  created: string;
}

export interface AccountProductRow extends ProductSeats {
  /** The product's display name (a license's productName), else its id. */
  name: string;
  /** "in 4 minutes": when the first released seat still cooling down frees; null when none is. */
  freesIn: string | null;
}

export interface AccountOverview extends SeatSummary {
  user: Pick<User, "id" | "email" | "name" | "role">;
  products: AccountProductRow[];
  sessions: AccountSessionRow[];
}

/**
 * Signs in to the account pages: same credential check and rate limits as the API login.
 * A fresh session every time (the cookie rotates on sign-in); the previous one, if any, ends.
 */
export async function signInToAccount(
  deps: Deps,
  input: { email: string; password: string; previousSessionId?: string },
  client: ClientInfo,
): Promise<{ token: string; user: User }> {
  const user = await verifyCredentials(deps, input.email, input.password, client);
  if (input.previousSessionId) {
    await revokeSession(deps, input.previousSessionId, { reason: "signed_in_again", actor: `user:${user.id}` });
  }
  const issued = await createSession(deps, { user, kind: "account", productId: null, client });
  return { token: issued.token, user };
}

export async function accountOverview(deps: Deps, user: User, currentSessionId: string): Promise<AccountOverview> {
  const now = deps.clock.now();
  const [summary, live, names] = await Promise.all([
    seatSummary(deps, user.id),
    listLiveSessions(deps, user.id),
    productNames(deps, user.id),
  ]);
  const nameOf = (productId: string) => names.get(productId) ?? productId;
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    ...summary,
    products: summary.products.map((p) => ({
      ...p,
      name: nameOf(p.productId),
      freesIn: p.seatFreeAt === null ? null : timeUntil((p.seatFreeAt - now) / 1000),
    })),
    sessions: live.map((s) => ({
      ...toSessionView(deps, s, currentSessionId),
      product: s.productId === null ? null : nameOf(s.productId),
      device: describeDevice(s.userAgent),
      deviceType: deviceType(s.userAgent),
      place: place(s),
      lastActive: timeAgo(s.lastUsedAt, now),
      created: timeAgo(s.createdAt, now),
    })),
  };
}

/** The name of one of the user's devices (any state), for "Signed out …" notices. */
export async function deviceName(deps: Deps, userId: string, sessionId: string): Promise<string | undefined> {
  const session = await findSessionOfUser(deps, userId, sessionId);
  return session?.userAgent ? describeDevice(session.userAgent) : undefined;
}
