// Changing the password from the account page: the current password first (rate-limited like a
// login: verifyPasswordLimited), then the policy; other devices are signed out when the user asks
// (ASVS V3.3.3). Throws like every use case; the page shows the error beside its field.
import type { User } from "../../db/schema";
import type { Deps } from "../deps";
import { FieldErrors } from "../errors";
import type { ClientInfo } from "../lib/client-info";
import { setUserPassword } from "../passwords/service";
import { confirmProblem, passwordProblem } from "../passwords/policy";
import { verifyPasswordLimited } from "../passwords/verify";

export interface ChangePasswordInput {
  user: User;
  sessionId: string;
  current: string;
  password: string;
  confirm: string;
  signOutOthers: boolean;
  client: ClientInfo;
}

/**
 * 400 FieldErrors naming every wrong field at once (current password missing or wrong, new password
 * refused, confirmation different), so the form needs one round trip; 429 over the limit.
 */
export async function changePassword(deps: Deps, input: ChangePasswordInput): Promise<void> {
  const { user } = input;
  const problems: Record<string, string> = {};
  const weak = passwordProblem(deps.config, { password: input.password, email: user.email });
  const mismatch = weak ? undefined : confirmProblem(input.password, input.confirm);
  if (!input.current) problems.current = "Enter your current password.";
  else if (!(await currentPasswordMatches(deps, user, input.current))) {
    problems.current = "That is not your current password. Type it again.";
  }
  if (weak) problems.password = weak;
  if (mismatch) problems.confirm = mismatch;
  if (Object.keys(problems).length > 0) throw new FieldErrors(problems);
  await setUserPassword(deps, user.id, input.password, {
    revoke: input.signOutOthers ? { except: input.sessionId } : "none",
    actor: `user:${user.id}`,
    ip: input.client.ip,
    confirm: input.confirm,
  });
}

/** The one rate-limited check of the current password (counted like a login from this account). */
function currentPasswordMatches(deps: Deps, user: User, password: string): Promise<boolean> {
  const key = `account-password:${user.id}`;
  const limits = [{ key, rule: deps.config.rateLimits.loginPerAccountIp }];
  return verifyPasswordLimited(deps, { hash: user.passwordHash, password, limits, clearKey: key });
}
