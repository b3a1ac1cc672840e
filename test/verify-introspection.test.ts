// seatkey/verify's optional online check (RFC 7662). The server's own introspection endpoint is
// being built in parallel; until it is in this tree, a small local stub that follows RFC 7662
// (form body, HTTP Basic client credential, { active }) stands in for it, on a real port.
import { afterAll, describe, expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { createVerifier, VerifyError } from "../src/verify";
import { loginAs, seedUser } from "./fixtures";
import { startLiveApp } from "./live-app";

const live = await startLiveApp();
const { t, baseUrl } = live;
const CLIENT_ID = "resource-server-1";
const CLIENT_SECRET = "s3cr+t/é:x"; // characters RFC 6749 §2.3.1 form-encodes before Basic

const revokedSessions = new Set<string>();
const seen: { authorization: string | null; contentType: string | null; form: Record<string, string> }[] = [];
let answerStatus = 200;
const stub = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    seen.push({
      authorization: request.headers.get("authorization"),
      contentType: request.headers.get("content-type"),
      form,
    });
    if (answerStatus !== 200) return new Response("down", { status: answerStatus });
    const sid = decodeJwt(form.token ?? "").sid as string;
    return Response.json(revokedSessions.has(sid) ? { active: false } : { active: true, sid, client_id: CLIENT_ID });
  },
});
afterAll(async () => {
  await stub.stop(true);
  await live.close();
});

const verifier = createVerifier({
  issuer: baseUrl,
  audience: "seatkey",
  jwksUrl: `${baseUrl}/.well-known/jwks.json`,
  now: () => t.clock.now(),
  introspection: {
    url: `http://127.0.0.1:${stub.port}/api/auth/introspect`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    cacheSeconds: 5,
  },
});
const user = await seedUser(t, { licenses: [{ productId: "app", seats: 3 }] });

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    if (error instanceof VerifyError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe("introspection (RFC 7662) after the offline check", () => {
  test("asks once per token with a form body and the Basic client credential, then caches", async () => {
    const { accessToken } = await loginAs(t, user);
    seen.length = 0;
    await verifier.verify(accessToken);
    await verifier.verify(accessToken);
    expect(seen).toHaveLength(1);
    const expected = `Basic ${Buffer.from(`${CLIENT_ID}:${encodeURIComponent(CLIENT_SECRET)}`).toString("base64")}`;
    expect(seen[0]).toEqual({
      authorization: expected,
      contentType: "application/x-www-form-urlencoded",
      form: { token: accessToken, token_type_hint: "access_token" },
    });
  });

  test("a session revoked on the server is refused once the short cache runs out", async () => {
    const login = await loginAs(t, user);
    expect(await code(verifier.verify(login.accessToken))).toBe("accepted");
    revokedSessions.add(login.sessionId);
    expect(await code(verifier.verify(login.accessToken))).toBe("accepted"); // cached for 5 s
    t.clock.advance(5_001);
    expect(await code(verifier.verify(login.accessToken))).toBe("401 token_inactive");
  });

  test("a forged or expired token never reaches the endpoint", async () => {
    seen.length = 0;
    const { accessToken } = await loginAs(t, user);
    const [h, p] = accessToken.split(".");
    expect(await code(verifier.verify(`${h}.${p}.AAAA`))).toBe("401 invalid_token");
    t.clock.advance(601_000);
    expect(await code(verifier.verify(accessToken))).toBe("401 token_expired");
    expect(seen).toHaveLength(0);
  });

  test("an unreachable or failing endpoint fails closed: 503 introspection_failed", async () => {
    const { accessToken } = await loginAs(t, user);
    answerStatus = 500;
    expect(await code(verifier.verify(accessToken))).toBe("503 introspection_failed");
    answerStatus = 200;
    const unreachable = createVerifier({
      issuer: baseUrl,
      audience: "seatkey",
      jwksUrl: `${baseUrl}/.well-known/jwks.json`,
      now: () => t.clock.now(),
      introspection: { url: "http://127.0.0.1:9/introspect", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
    expect(await code(unreachable.verify(accessToken))).toBe("503 introspection_failed");
  });
});
