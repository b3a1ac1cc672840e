// The notice mails of a revocation ("session-revoked") and of refresh-token reuse ("reuse-detected")
// are queued inside the transaction that revokes: when that transaction fails after queuing,
// neither the revocation nor the mail survives (README "Mail delivery": mail is written in the
// same transaction as the change that caused it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Database } from "../db/client";
import { createApp } from "../src/app";
import type { Deps } from "../src/deps";
import { revokeOtherSessions, revokeOwnSession } from "../src/sessions/revoke";
import { bearer, loginAs, seedUser, sessionRow } from "./fixtures";
import { createTestContext, type TestContext } from "./helpers";

let t: TestContext;
let failing: Deps;
beforeAll(async () => {
  t = await createTestContext();
  // The same database, but every write transaction fails at its very end — after the change and
  // its mail were written, before COMMIT — so it rolls back.
  const db: Database = {
    ...t.deps.db,
    write: (fn) =>
      t.deps.db.write(async (tx) => {
        await fn(tx);
        throw new Error("injected failure at the end of the write transaction");
      }),
  };
  failing = { ...t.deps, db };
});
afterAll(() => t.close());

async function outbox(kind: string, to: string): Promise<number> {
  const rs = await t.deps.db.client.execute({
    sql: "SELECT count(*) AS n FROM mail_outbox WHERE kind = ? AND to_address = ?",
    args: [kind, to],
  });
  return Number(rs.rows[0]?.n ?? 0);
}

const owner = (user: { id: string; email: string }) => ({ ...user, name: "Test User" });

describe("revocation notices are queued in the revoking transaction", () => {
  test("DELETE /api/auth/sessions/:id: a failed revoke leaves the session live and no mail; a good one queues one", async () => {
    const user = await seedUser(t);
    const me = await loginAs(t, user);
    const other = await loginAs(t, user);
    const failed = await createApp(failing).handle(
      new Request(`http://localhost/api/auth/sessions/${other.sessionId}`, {
        method: "DELETE",
        headers: bearer(me.accessToken),
      }),
    );
    expect(failed.status).toBe(500);
    expect((await sessionRow(t, other.sessionId))?.revokedAt).toBeNull();
    expect(await outbox("session-revoked", user.email)).toBe(0);

    const res = await t.request("DELETE", `/api/auth/sessions/${other.sessionId}`, { headers: bearer(me.accessToken) });
    expect(res.status).toBe(204);
    expect((await sessionRow(t, other.sessionId))?.revokedAt).not.toBeNull();
    expect(await outbox("session-revoked", user.email)).toBe(1);
  });

  test("account page: revoking one session or all others fails whole, then succeeds with one mail each", async () => {
    const user = await seedUser(t);
    const current = await loginAs(t, user);
    const a = await loginAs(t, user);
    const b = await loginAs(t, user);
    await expect(revokeOwnSession(failing, owner(user), a.sessionId, { ip: null })).rejects.toThrow("injected");
    await expect(revokeOtherSessions(failing, owner(user), current.sessionId, { ip: null })).rejects.toThrow(
      "injected",
    );
    for (const s of [a, b]) expect((await sessionRow(t, s.sessionId))?.revokedAt).toBeNull();
    expect(await outbox("session-revoked", user.email)).toBe(0);

    expect(await revokeOwnSession(t.deps, owner(user), a.sessionId, { ip: null })).toBe(true);
    expect(await revokeOtherSessions(t.deps, owner(user), current.sessionId, { ip: null })).toBe(1);
    expect((await sessionRow(t, b.sessionId))?.revokedAt).not.toBeNull();
    expect(await outbox("session-revoked", user.email)).toBe(2);
  });

  test("refresh-token reuse: a failed revoke leaves the session and no alert; a good one revokes and queues one", async () => {
    const user = await seedUser(t);
    const t0 = await loginAs(t, user);
    const refresh = (deps: Deps, token: string) =>
      createApp(deps).handle(
        new Request("http://localhost/api/auth/refresh-token", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refreshToken: token }),
        }),
      );
    const t1 = (await (await refresh(t.deps, t0.refreshToken)).json()) as { refreshToken: string };
    expect((await refresh(t.deps, t1.refreshToken)).status).toBe(200); // t0 is now two rotations back

    expect((await refresh(failing, t0.refreshToken)).status).toBe(500);
    expect((await sessionRow(t, t0.sessionId))?.revokedAt).toBeNull();
    expect(await outbox("reuse-detected", user.email)).toBe(0);

    const reuse = await refresh(t.deps, t0.refreshToken);
    expect(reuse.status).toBe(401);
    expect((await sessionRow(t, t0.sessionId))?.revokeReason).toBe("refresh_token_reuse");
    expect(await outbox("reuse-detected", user.email)).toBe(1);
  });
});
