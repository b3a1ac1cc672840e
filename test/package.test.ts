// The published package: `npm pack` (which builds dist/ on prepack), the tarball unpacked into a
// temp folder as a dependency, then both entry points imported from plain Node (ESM) and from a Bun
// script that sign in to a live server and verify its token through the adapters; the .d.ts files
// type-check a consumer; the client bundle stays small and imports nothing.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seedUser } from "./fixtures";
import { tempDir } from "./helpers";
import { startLiveApp } from "./live-app";
import { runToEnd } from "./run-to-end";

const ROOT = join(import.meta.dir, "..");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};
const live = await startLiveApp();
const user = await seedUser(live.t, { licenses: [{ productId: "app", seats: 2 }] });
const work = tempDir("seatkey-pack-");
const app = join(work, "app");
afterAll(async () => {
  await live.close();
  rmSync(work, { recursive: true, force: true });
});

/** Runs a command to its end (asynchronously: the live server in this process must keep answering). */
async function run(cmd: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const { code, stdout: out, stderr: err } = await runToEnd(cmd, { cwd, env: { ...process.env, ...env } });
  if (code !== 0) throw new Error(`${cmd.join(" ")} → ${code}\n${out}\n${err}`);
  return out;
}

/** Static imports of a built file: what a bundler or runtime will load with it. */
const importsOf = (file: string) =>
  [...readFileSync(join(ROOT, "dist", file), "utf8").matchAll(/^import[^"]*"([^"]+)"|^\s*\} from "([^"]+)"/gm)]
    .map((m) => m[1] ?? m[2])
    .map((spec) => (spec?.startsWith("../shared/") ? "(shared chunk)" : spec));

const files: string[] = [];
describe("npm pack", () => {
  test("packs dist/ only (no server code), built by prepack", async () => {
    const out = await run(["npm", "pack", "--json", "--pack-destination", work], ROOT);
    const [packed] = JSON.parse(out.slice(out.indexOf("[\n"))) as {
      filename: string;
      files: { path: string }[];
    }[];
    files.push(...packed!.files.map((f) => f.path));
    expect(packed!.filename).toBe(`seatkey-${PACKAGE.version}.tgz`);
    expect(files).toContain("dist/client/index.js");
    expect(files).toContain("dist/verify/index.d.ts");
    expect(files.filter((f) => !/^dist\/|^package\.json$|^README\.md$/.test(f))).toEqual([]);
  }, 120_000);

  test("the client bundle is small and imports nothing; verify imports only jose; adapters only their framework", () => {
    const size = Bun.file(join(ROOT, "dist/client/index.js")).size;
    const gzip = Bun.gzipSync(readFileSync(join(ROOT, "dist/client/index.js"))).length;
    console.log(`dist/client/index.js: ${size} bytes, ${gzip} gzipped`);
    expect(size).toBeLessThan(16_000);
    expect(gzip).toBeLessThan(5_000);
    expect(importsOf("client/index.js")).toEqual([]);
    expect(importsOf("client/file.js").sort()).toEqual(["node:fs/promises", "node:path"]);
    expect(importsOf("verify/index.js").sort()).toEqual(["(shared chunk)", "jose"]);
    expect(importsOf("verify/elysia.js").sort()).toEqual(["(shared chunk)", "elysia"]);
    expect(importsOf("verify/hono.js")).toEqual(["(shared chunk)"]);
    expect(importsOf("verify/express.js")).toEqual(["(shared chunk)"]);
  });
});

// The tarball goes where npm would put it; its dependencies are linked from this checkout's
// node_modules (what npm would fetch from the registry: tests run offline).
async function installTarball(): Promise<void> {
  mkdirSync(join(app, "node_modules"), { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ type: "module", private: true }));
  const target = join(app, "node_modules", "seatkey");
  mkdirSync(target);
  await run(["tar", "-xzf", join(work, `seatkey-${PACKAGE.version}.tgz`), "-C", target, "--strip-components=1"], work);
  for (const dep of Object.keys(PACKAGE.dependencies)) {
    const link = join(app, "node_modules", dep);
    mkdirSync(join(link, ".."), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dep), link);
  }
}

const NODE_SCRIPT = `
import { createServer } from "node:http";
import { statSync } from "node:fs";
import { createSeatkeyClient } from "seatkey/client";
import { fileStorage } from "seatkey/client/file";
import { createVerifier } from "seatkey/verify";
import { claimsOf, seatkeyExpress } from "seatkey/verify/express";
const { BASE_URL, EMAIL, PASSWORD, NOW, TOKEN_FILE } = process.env;
const client = createSeatkeyClient({ baseUrl: BASE_URL, productId: "app", storage: fileStorage(TOKEN_FILE), heartbeat: false });
const seat = await client.login(EMAIL, PASSWORD);
const mode = (statSync(TOKEN_FILE).mode & 0o777).toString(8);
const token = await client.getAccessToken();
const verifier = createVerifier({ issuer: BASE_URL, audience: "seatkey", jwksUrl: BASE_URL + "/.well-known/jwks.json", now: () => Number(NOW) });
const guard = seatkeyExpress(verifier);
const server = createServer((req, res) => guard(req, res, () => res.end(JSON.stringify({ sub: claimsOf(req).sub }))));
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const call = async (t) => { const r = await fetch("http://127.0.0.1:" + server.address().port, { headers: { authorization: "Bearer " + t } }); return [r.status, await r.json()]; };
const result = { limited: seat.limited, mode, ok: await call(token), forged: await call(token.slice(0, -4) + "AAAA") };
result.loggedOut = await client.logout();
server.close();
console.log(JSON.stringify(result));
`;

const BUN_SCRIPT = `
import { Elysia } from "elysia";
import { createSeatkeyClient, memoryStorage } from "seatkey/client";
import { createVerifier } from "seatkey/verify";
import { seatkeyPlugin } from "seatkey/verify/elysia";
const { BASE_URL, EMAIL, PASSWORD, NOW } = process.env;
const client = createSeatkeyClient({ baseUrl: BASE_URL!, storage: memoryStorage(), heartbeat: false });
await client.login(EMAIL!, PASSWORD!);
const token = await client.getAccessToken();
const verifier = createVerifier({ issuer: BASE_URL!, audience: "seatkey", jwksUrl: BASE_URL + "/.well-known/jwks.json", now: () => Number(NOW) });
const api = new Elysia().use(seatkeyPlugin(verifier)).get("/", ({ seatkey }) => ({ sub: seatkey.sub }), { seatkey: true }).listen({ port: 0, hostname: "127.0.0.1" });
const call = async (t: string) => { const r = await fetch("http://127.0.0.1:" + api.server!.port, { headers: { authorization: "Bearer " + t } }); return [r.status, await r.json()]; };
console.log(JSON.stringify({ ok: await call(token), none: await call("") }));
await client.logout();
await api.stop(true);
`;

const CONSUMER_TS = `
import { createSeatkeyClient, type SeatkeyEvent, type SeatState } from "seatkey/client";
import { createVerifier, requireSeat, type SeatkeyClaims } from "seatkey/verify";
const client = createSeatkeyClient({ baseUrl: "https://auth.example.com", productId: "pro" });
client.subscribe((event: SeatkeyEvent) => { if (event.type === "limited") { const at: number | null = event.seat.seatFreeAt; void at; } });
const seat: Promise<SeatState> = client.login("a@example.com", "pw");
const verifier = createVerifier({ issuer: "https://auth.example.com", audience: "seatkey", jwksUrl: "https://auth.example.com/.well-known/jwks.json" });
const claims: Promise<SeatkeyClaims> = verifier.verify("t");
claims.then((c) => requireSeat(c, "pro"));
void seat;
`;

describe("the installed tarball", () => {
  const env = () => ({
    BASE_URL: live.baseUrl,
    EMAIL: user.email,
    PASSWORD: user.password,
    NOW: String(live.t.clock.now()),
    TOKEN_FILE: join(app, "state", "seatkey.json"),
  });

  test("plain Node ESM: client logs in with a 0600 file store; the Node/Express middleware verifies the live token", async () => {
    await installTarball();
    writeFileSync(join(app, "check.mjs"), NODE_SCRIPT);
    const result = JSON.parse(await run(["node", "check.mjs"], app, env()));
    expect(result).toMatchObject({ limited: false, mode: "600", loggedOut: true });
    expect(result.ok).toEqual([200, { sub: user.id }]);
    expect(result.forged).toEqual([401, { error: "Invalid access token", code: "invalid_token" }]);
  }, 60_000);

  test("a Bun script: client logs in; the Elysia plugin verifies the live token", async () => {
    writeFileSync(join(app, "check.ts"), BUN_SCRIPT);
    const result = JSON.parse(await run([process.execPath, "check.ts"], app, env()));
    expect(result.ok).toEqual([200, { sub: user.id }]);
    expect(result.none).toMatchObject([401, { code: "missing_token" }]);
  }, 60_000);

  test("the .d.ts files type-check a strict consumer (moduleResolution nodenext, exports map)", async () => {
    // One planted mistake: it must be the only error (the types resolve, and resolve to real types).
    writeFileSync(join(app, "consumer.ts"), `${CONSUMER_TS}const wrong: number = client.login;\n`);
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["es2022", "dom"],
        types: [],
      },
      files: ["consumer.ts"],
    };
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig));
    const tsc = await run([join(ROOT, "node_modules/.bin/tsc"), "-p", "tsconfig.json"], app).catch(String);
    expect(tsc.match(/error TS\d+/g)).toEqual(["error TS2322"]);
    expect(tsc).toContain(
      "Type '(email: string, password: string) => Promise<SeatState>' is not assignable to type 'number'",
    );
  }, 60_000);
});
