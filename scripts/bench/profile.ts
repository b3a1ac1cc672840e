// Where a request's time goes, measured in this process on the bench database (server stopped):
// the service call without HTTP (refresh, me), the JWT signature alone, and the statements each
// request runs — replayed through @libsql/client and through bun:sqlite (driver overhead).
import { buildDeps } from "../../src/boot";
import { loadConfig } from "../../src/config";
import { signAccessToken, verifyAccessToken } from "../../src/auth/access-token";
import { describeMe } from "../../src/auth/me";
import { login, refresh } from "../../src/auth/service";
import type { ClientInfo } from "../../src/lib/client-info";
import { compareDrivers, recordStatements, timePerCall, type DriverResult } from "./driver";

export interface RequestProfile {
  /** µs per call of the service function, no HTTP. */
  service: number;
  driver: DriverResult;
}

export interface ProfileResult {
  refresh: RequestProfile;
  me: RequestProfile;
  /** µs to sign one access token (EdDSA). */
  jwtSign: number;
  /** Driver calls one login makes (not replayed: it inserts; Argon2id dominates it anyway). */
  loginCalls: number;
}

const CLIENT: ClientInfo = { ip: "127.0.0.1", userAgent: "bench", country: null, city: null, region: null };

export async function profileRequests(
  env: Record<string, string>,
  dbFile: string,
  tokens: [string, string],
  login_: { email: string; password: string },
  seconds: number,
): Promise<ProfileResult> {
  const deps = await buildDeps(loadConfig(env), { migrate: false });
  try {
    const recorder = recordStatements(deps.db);
    // One chain for the timing, another for the recording (same statements, its own session).
    let token = tokens[0];
    const refreshService = await timePerCall(async () => {
      token = (await refresh(deps, token, CLIENT)).refreshToken;
    }, seconds);
    let issued = await refresh(deps, tokens[1], CLIENT);
    const refreshStatements = await recorder.capture(async () => {
      issued = await refresh(deps, issued.refreshToken, CLIENT);
    });

    const claims = await verifyAccessToken(deps, issued.accessToken);
    const meService = await timePerCall(() => describeMe(deps, claims), seconds);
    const meStatements = await recorder.capture(() => describeMe(deps, claims));
    const subject = {
      user: { id: claims.sub, role: claims.role, status: claims.status, email: claims.email, name: claims.name },
      sessionId: claims.sid,
      limited: false,
      limitedReason: null,
      product: claims.product,
      licenses: claims.licenses,
    };
    const jwtSign = await timePerCall(() => signAccessToken(deps, subject), seconds);
    const loginStatements = await recorder.capture(() => login(deps, login_, CLIENT));
    return {
      refresh: { service: refreshService, driver: await compareDrivers(deps.db, dbFile, refreshStatements, seconds) },
      me: { service: meService, driver: await compareDrivers(deps.db, dbFile, meStatements, seconds) },
      jwtSign,
      loginCalls: loginStatements.length,
    };
  } finally {
    deps.db.close();
  }
}
