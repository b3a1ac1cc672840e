// End to end, as a seller would see it: the store's grant-license webhook → the set-password mail
// → the user sets a password from the link → logins fill the seats, then the next one is limited →
// a refund (delete-license) ends the sessions. Real SMTP, real HTTP handling, real database.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTestContext, type TestContext } from "./helpers";
import { linkIn } from "./smtp";
import { createHook, deliver, type Hook, type Signed, signedInUser, type WebhookBody } from "./webhooks-fixtures";

interface Login {
  accessToken: string;
  refreshToken: string;
  limited: boolean;
  limitedReason: string | null;
  sessionId: string;
}

let t: TestContext;
let admin: Signed;
let hook: Hook;
beforeAll(async () => {
  t = await createTestContext();
  admin = await signedInUser(t);
  hook = await createHook(t, admin, { name: "shop" });
});
afterAll(() => t.close());

const PASSWORD = "purple otters juggle 47 lanterns";

const login = async (email: string) => {
  const res = await t.request("POST", "/api/auth/login", { body: { email, password: PASSWORD, productId: "pro" } });
  expect(res.status).toBe(200);
  return (await res.json()) as Login;
};

test("grant-license → set-password mail → password set from the link → logins fill 2 seats, the 3rd is limited → refund ends them", async () => {
  const purchase = {
    action: "grant-license",
    id: "evt_purchase_1",
    email: "Customer@Example.com",
    name: "Customer",
    productId: "pro",
    seats: 2,
    validUntil: "2031-01-01T00:00:00Z",
  };
  const granted = await deliver(t, hook.token, purchase);
  expect(granted.status).toBe(200);
  const { response } = (await granted.json()) as WebhookBody<{ license: { id: string }; userCreated: boolean }>;
  expect(response.userCreated).toBe(true);
  // The store retries the same event: nothing new, no second mail.
  expect((await deliver(t, hook.token, purchase)).headers.get("idempotent-replayed")).toBe("true");

  const mail = await t.smtp.waitFor((m) => m.to.includes("customer@example.com"));
  const link = new URL(linkIn(mail, "http://localhost:3000/create-password?token="));
  const token = link.searchParams.get("token") ?? "";
  const set = await t.request("POST", "/api/auth/create-password", {
    body: { token, password: PASSWORD, confirm: PASSWORD },
  });
  expect(set.status).toBe(200);
  const reuse = await t.request("POST", "/api/auth/create-password", {
    body: { token, password: PASSWORD, confirm: PASSWORD },
  });
  expect(reuse.status).toBe(401);

  const first = await login("customer@example.com");
  const second = await login("CUSTOMER@example.com");
  const third = await login("customer@example.com");
  expect([first.limited, second.limited, third.limited]).toEqual([false, false, true]);
  expect(third.limitedReason).toBe("no_free_seat");

  // The admin sees the user, the license and the three live sessions.
  const listed = await t.request("GET", "/api/users?search=customer@", {
    headers: { authorization: `Bearer ${admin.token}` },
  });
  const { users } = (await listed.json()) as { users: { id: string; activeSessions: number; hasPassword: boolean }[] };
  expect(users).toHaveLength(1);
  expect(users[0]).toMatchObject({ activeSessions: 3, hasPassword: true });

  // Refund: the license goes and every session with it; the refresh token no longer works.
  const refund = await deliver(t, hook.token, { action: "delete-license", licenseId: response.license.id });
  expect(((await refund.json()) as WebhookBody<{ revokedSessions: number }>).response.revokedSessions).toBe(3);
  const refresh = await t.request("POST", "/api/auth/refresh", { body: { refreshToken: first.refreshToken } });
  expect(refresh.status).toBe(401);
  const after = await login("customer@example.com");
  expect(after).toMatchObject({ limited: true, limitedReason: "no_license" });
});
