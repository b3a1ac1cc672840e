// Webhook actions on users: create-user, update-user, delete-user. The rules live in src/users.
import { t } from "elysia";
import { mailPasswordLinkIn } from "../../passwords/service";
import { deleteUserIn, insertUser, toPublicUser, updateUserIn } from "../../users/service";
import { Email, Id, Name, Role, STRICT, Status } from "../model";
import { defineAction } from "../registry";
import { checkRoleGrant, checkUserTargetIn } from "../scope";

export const createUser = defineAction(
  t.Object({ email: Email, name: Name, role: t.Optional(Role) }, STRICT),
  async (tx, ctx, p) => {
    checkRoleGrant(ctx, p.role);
    const { deps } = ctx;
    const user = await insertUser(tx, deps, p);
    await mailPasswordLinkIn(tx, deps, user);
    return { response: { user: toPublicUser(user) }, userId: user.id };
  },
);

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
  async (tx, ctx, { userId, ...changes }) => {
    const { deps, actor } = ctx;
    checkRoleGrant(ctx, changes.role);
    await checkUserTargetIn(tx, ctx, userId);
    const { user, changed, revokedSessions } = await updateUserIn(tx, deps, userId, changes, { actor });
    const response = { user: toPublicUser(user), changed, revokedSessions };
    if (changed.length === 0) return { response, userId };
    return { response, userId, detail: { changed, revokedSessions } };
  },
);

export const deleteUser = defineAction(t.Object({ userId: Id }, STRICT), async (tx, ctx, { userId }) => {
  const { deps, actor } = ctx;
  await checkUserTargetIn(tx, ctx, userId);
  const { revokedSessions } = await deleteUserIn(tx, deps, userId, { actor });
  return { response: { userId, deleted: true, revokedSessions }, userId, detail: { revokedSessions } };
});
