// One-time email tokens (set password, reset): 30 minutes, single use, SHA-256 at rest,
// a new one voids the older ones of the same user, consumption is one atomic statement.
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { emailTokens, type EmailTokenPurpose, type User } from "../../db/schema";
import type { Deps } from "../deps";
import { deleteInBatches } from "../lib/batches";
import { newId, randomToken, sha256Hex } from "../lib/crypto";
import { findUserById } from "../users/service";

const EMAIL_TOKEN_TTL_MS = 30 * 60 * 1000;

/** Issues a token inside an open transaction; returns the raw token (shown once, never stored). */
export async function issueEmailTokenIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  userId: string,
  purpose: EmailTokenPurpose,
): Promise<string> {
  const now = deps.clock.now();
  const token = randomToken(32);
  await voidEmailTokensIn(tx, deps, userId);
  await tx.insert(emailTokens).values({
    id: newId(),
    userId,
    purpose,
    tokenHash: sha256Hex(token),
    expiresAt: now + EMAIL_TOKEN_TTL_MS,
    createdAt: now,
  });
  return token;
}

/** Voids every unused token of a user (a newer one was issued, or the password changed). */
export async function voidEmailTokensIn(tx: Tx, deps: Pick<Deps, "clock">, userId: string): Promise<void> {
  await tx
    .update(emailTokens)
    .set({ usedAt: deps.clock.now() })
    .where(and(eq(emailTokens.userId, userId), isNull(emailTokens.usedAt)));
}

export function createPasswordLink(deps: Pick<Deps, "config">, token: string): string {
  return `${deps.config.publicUrl}/create-password?token=${encodeURIComponent(token)}`;
}

/** Marks the token used if it is valid; returns its user and purpose, or undefined. */
export async function consumeEmailTokenIn(
  tx: Tx,
  deps: Pick<Deps, "clock">,
  token: string,
): Promise<{ userId: string; purpose: EmailTokenPurpose } | undefined> {
  const now = deps.clock.now();
  const [row] = await tx
    .update(emailTokens)
    .set({ usedAt: now })
    .where(and(eq(emailTokens.tokenHash, sha256Hex(token)), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)))
    .returning({ userId: emailTokens.userId, purpose: emailTokens.purpose });
  return row;
}

/** Why a link can't be used: never issued here, used (or replaced by a newer one), or past its 30 minutes. */
export type DeadLink = "invalid" | "used" | "expired";

/**
 * The user of a token, without using it (to render the form), or why it can't be used. Telling
 * "used" from "expired" reveals nothing: only the holder of a 256-bit token can ask about it.
 */
export async function peekEmailToken(deps: Deps, token: string): Promise<{ user: User } | { dead: DeadLink }> {
  const [row] = await deps.db.orm
    .select({ userId: emailTokens.userId, usedAt: emailTokens.usedAt, expiresAt: emailTokens.expiresAt })
    .from(emailTokens)
    .where(eq(emailTokens.tokenHash, sha256Hex(token)));
  if (!row) return { dead: "invalid" };
  if (row.usedAt !== null) return { dead: "used" };
  if (row.expiresAt <= deps.clock.now()) return { dead: "expired" };
  const user = await findUserById(deps, row.userId);
  return user ? { user } : { dead: "invalid" };
}

/** Housekeeping: deletes used and expired tokens (prune). */
export async function deleteSpentEmailTokens(deps: Pick<Deps, "db">, now: number): Promise<number> {
  return deleteInBatches(
    deps,
    emailTokens,
    emailTokens.id,
    sql`${emailTokens.usedAt} IS NOT NULL OR ${emailTokens.expiresAt} <= ${now}`,
  );
}
