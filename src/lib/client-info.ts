// Who is calling, as the services see it: read from the request by src/web/client.ts, stored on
// sessions, written to audit rows.
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  country: string | null;
  city: string | null;
  region: string | null;
}
