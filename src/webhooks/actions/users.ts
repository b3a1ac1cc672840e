// Webhook actions on users: create-user, update-user, delete-user.
import { eq } from "drizzle-orm";
import { t } from "elysia";
import { users, type User } from "../../../db/schema";
import { conflict } from "../../errors";
import { changedFields } from "../../lib/changes";
import { queueMailIn } from "../../mail/outbox";
import { mailPasswordLinkIn } from "../../passwords/service";
import { revokeUserSessionsIn } from "../../sessions/revoke";
import { assertEmail, findUserIn, insertUser, toPublicUser } from "../../users/service";
import { Email, Id, Name, Role, STRICT, Status } from "../model";
import { defineAction } from "../registry";

export const createUser = defineAction(
  t.Object({ email: Email, name: Name, role: t.Optional(Role) }, STRICT),
  async (tx, { deps }, p) => {
    const user = await insertUser(tx, deps, p);
    await mailPasswordLinkIn(tx, deps, user);
    return { response: { user: toPublicUser(user) }, userId: user.id };
  },
);

const EDITABLE = ["email", "name", "role", "status"] as const;
const LABELS = { email: "email address", name: "name", role: "role", status: "account status" };

export const updateUser = defineAction(
  t.Object(
    {
      userId: Id,
      email: t.Optional(Email),
      name: t.Optional(Name),
      role: t.Optional(Role),
      status: t.Optional(Status),
    },
    STRICT,
  ),
  async (tx, { deps, actor }, p) => {
    const user = await findUserIn(tx, p.userId);
    const next = { ...p, email: p.email === undefined ? undefined : assertEmail(p.email), name: p.name?.trim() };
    const { changed, set } = changedFields(user, next, EDITABLE);
    if (changed.length === 0)
      return { response: { user: toPublicUser(user), changed, revokedSessions: 0 }, userId: user.id };
    if (
      next.email &&
      changed.includes("email") &&
      (await tx.query.users.findFirst({ where: eq(users.email, next.email) }))
    ) {
      throw conflict("email_taken", `A user with email ${next.email} already exists`);
    }
    const [updated] = await tx
      .update(users)
      .set({ ...set, updatedAt: deps.clock.now() })
      .where(eq(users.id, user.id))
      .returning();
    const after = updated as User;
    // Disabling an account ends its sessions at once (ASVS V7.4.2).
    const revokedSessions =
      after.status === "INACTIVE" && changed.includes("status")
        ? await revokeUserSessionsIn(tx, deps, user.id, { reason: "account_disabled", actor })
        : 0;
    const changes = changed.map((k) => `${LABELS[k]} (now ${after[k]})`).join(", ");
    // Both the old and the new address hear about an email change.
    for (const to of new Set([user.email, after.email])) {
      await queueMailIn(tx, deps, { to, kind: "account-changed", data: { name: after.name, changes } });
    }
    return {
      response: { user: toPublicUser(after), changed, revokedSessions },
      userId: user.id,
      detail: { changed, revokedSessions },
    };
  },
);

export const deleteUser = defineAction(t.Object({ userId: Id }, STRICT), async (tx, { deps, actor }, p) => {
  const user = await findUserIn(tx, p.userId);
  // The notice is queued before the row goes (it needs the address); it leaves only if the delete commits.
  await queueMailIn(tx, deps, { to: user.email, kind: "account-deleted", data: { name: user.name } });
  // Revoke first (audited per session); the delete then cascades to sessions and licenses.
  const revokedSessions = await revokeUserSessionsIn(tx, deps, user.id, { reason: "account_deleted", actor });
  await tx.delete(users).where(eq(users.id, user.id));
  return {
    response: { userId: user.id, deleted: true, revokedSessions },
    userId: user.id,
    detail: { revokedSessions },
  };
});
