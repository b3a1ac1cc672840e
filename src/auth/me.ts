// GET /api/auth/me: the user, their licenses with seats used/total, and the current session.
import { eq } from "drizzle-orm";
import { licenses, sessions } from "../../db/schema";
import type { Deps } from "../deps";
import { unauthorized } from "../errors";
import { countSeatsUsed } from "../seats/seats";
import { toSessionView } from "../sessions/view";
import { findUserById, toPublicUser } from "../users/service";
import type { AccessClaims } from "./access-token";

export async function describeMe(deps: Deps, auth: AccessClaims) {
  const now = deps.clock.now();
  const [user, userLicenses, session] = await Promise.all([
    findUserById(deps, auth.sub),
    deps.db.orm.select().from(licenses).where(eq(licenses.userId, auth.sub)),
    deps.db.orm.query.sessions.findFirst({ where: eq(sessions.id, auth.sid) }),
  ]);
  if (!user) throw unauthorized("invalid_token", "This account no longer exists");
  const scope = { userId: user.id, now, idleTimeoutMs: deps.config.seatIdleTimeout * 1000 };
  const products = [...new Set(userLicenses.map((l) => l.productId))];
  const usedByProduct = new Map<string, number>();
  for (const productId of products)
    usedByProduct.set(productId, await countSeatsUsed(deps.db.orm, { ...scope, productId }));

  const valid = userLicenses.filter((l) => l.validUntil > now);
  const total = valid.reduce((sum, l) => sum + l.seats, 0);
  return {
    user: toPublicUser(user),
    licenses: userLicenses.map((l) => ({
      id: l.id,
      productId: l.productId,
      seats: l.seats,
      validUntil: l.validUntil,
      valid: l.validUntil > now,
      // Seats of this product held now (shared by every license of the same product).
      seatsUsed: usedByProduct.get(l.productId) ?? 0,
    })),
    seats: { total, used: await countSeatsUsed(deps.db.orm, { ...scope, productId: null }) },
    session: session ? toSessionView(deps, session, auth.sid) : null,
  };
}
