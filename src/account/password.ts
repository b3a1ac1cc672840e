// Changing the password from the account page: the current password first (rate-limited like a
// login), then the policy; other devices are signed out when the user asks (ASVS V3.3.3).
import type { User } from "../../db/schema";
import type { Deps } from "../deps";
import { AppError } from "../errors";
import { checkRateLimit, clearRateLimit, countRateLimit } from "../lib/rate-limit";
import { setUserPassword } from "../passwords/service";
import type { ClientInfo } from "../web/client";

export interface ChangePasswordInput {
  user: User;
  sessionId: string;
  current: string;
  password: string;
  confirm: string;
  signOutOthers: boolean;
  client: ClientInfo;
}

export type ChangePasswordResult =
  | { ok: true }
  | { ok: false; status: number; errors: { current?: string; password?: string; confirm?: string; form?: string } };

export async function changePassword(deps: Deps, input: ChangePasswordInput): Promise<ChangePasswordResult> {
  const { user } = input;
  const key = `account-password:${user.id}`;
  const rule = deps.config.rateLimits.loginPerAccountIp;
  try {
    await checkRateLimit(deps, { key, rule });
    const ok = await deps.hasher.verify(user.passwordHash, input.current);
    if (!ok) {
      await countRateLimit(deps, { key, rule });
      return { ok: false, status: 400, errors: { current: "That is not your current password. Type it again." } };
    }
    await setUserPassword(deps, user.id, input.password, {
      revoke: input.signOutOthers ? { except: input.sessionId } : "none",
      actor: `user:${user.id}`,
      ip: input.client.ip,
      confirm: input.confirm,
    });
    await clearRateLimit(deps, key);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    const field = error.field === "confirm" ? "confirm" : error.code === "weak_password" ? "password" : "form";
    return { ok: false, status: error.status, errors: { [field]: error.message } };
  }
}
