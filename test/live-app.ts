// The real app (fixed clock, temp-file database, real SMTP) listening on a real 127.0.0.1 port,
// for tests whose client is a real HTTP client: browsers, seatkey/client, seatkey/verify.
import type { Env } from "../src/config";
import { createTestContext, type TestContext } from "./helpers";
import { freePort } from "./process-helpers";

export interface LiveApp {
  t: TestContext;
  /** http://127.0.0.1:<port>, which is also the app's PUBLIC_URL (and so the tokens' issuer). */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startLiveApp(options: { env?: Env } = {}): Promise<LiveApp> {
  const port = freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await createTestContext({ env: { PUBLIC_URL: baseUrl, ...options.env } });
  t.app.listen({ port, hostname: "127.0.0.1" });
  return {
    t,
    baseUrl,
    async close() {
      await t.app.stop(true);
      await t.close();
    },
  };
}
