// Changing the password from the account page: the current password first (rate-limited like a
// login: verifyPasswordLimited), then the policy; other devices are signed out when the user asks
// (ASVS V3.3.3). Throws like every use case; the page shows the error beside its field.
import type { User } from "../../db/schema";
import type { Deps } from "../deps";
import { badRequest } from "../errors";
import type { ClientInfo } from "../lib/client-info";
import { setUserPassword } from "../passwords/service";
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

/** 400 `wrong_password` (field current), `weak_password` or `password_mismatch`; 429 over the limit. */
export async function changePassword(deps: Deps, input: ChangePasswordInput): Promise<void> {
  const { user } = input;
  const key = `account-password:${user.id}`;
  const limits = [{ key, rule: deps.config.rateLimits.loginPerAccountIp }];
  if (
    !(await verifyPasswordLimited(deps, { hash: user.passwordHash, password: input.current, limits, clearKey: key }))
  ) {
    throw badRequest("wrong_password", "That is not your current password. Type it again.", "current");
  }
  await setUserPassword(deps, user.id, input.password, {
    revoke: input.signOutOthers ? { except: input.sessionId } : "none",
    actor: `user:${user.id}`,
    ip: input.client.ip,
    confirm: input.confirm,
  });
}
