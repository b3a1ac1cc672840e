// Introspection clients: the resource servers allowed to ask POST /api/auth/introspect. Created by
// an admin; the secret is shown once and stored as SHA-256 only; a revoked client is refused.
import { desc, eq } from "drizzle-orm";
import { introspectionClients } from "../../db/schema";
import { auditIn } from "../audit/audit";
import type { Deps } from "../deps";
import { AppError, notFound } from "../errors";
import { constantTimeEqual, newId, randomToken, sha256Hex } from "../lib/crypto";

type Client = typeof introspectionClients.$inferSelect;

export function toClientView(c: Client) {
  return { id: c.id, name: c.name, createdBy: c.createdBy, createdAt: c.createdAt, revokedAt: c.revokedAt };
}

export async function createIntrospectionClient(deps: Deps, input: { name: string; createdBy: string }) {
  const secret = randomToken();
  const row: Client = {
    id: newId(),
    name: input.name.trim(),
    secretHash: sha256Hex(secret),
    createdBy: input.createdBy,
    createdAt: deps.clock.now(),
    revokedAt: null,
  };
  await deps.db.write(async (tx) => {
    await tx.insert(introspectionClients).values(row);
    await auditIn(tx, deps, {
      event: "introspection_client.created",
      actor: `admin:${input.createdBy}`,
      detail: { clientId: row.id, name: row.name },
    });
  });
  // clientId / clientSecret: the HTTP Basic user name and password of POST /api/auth/introspect.
  return { ...toClientView(row), clientId: row.id, clientSecret: secret };
}

export async function listIntrospectionClients(deps: Deps) {
  const rows = await deps.db.orm.select().from(introspectionClients).orderBy(desc(introspectionClients.createdAt));
  return rows.map(toClientView);
}

/** Revokes a client (keeping the first revocation time); 404 when unknown. */
export async function revokeIntrospectionClient(deps: Deps, id: string, actor: string) {
  return deps.db.write(async (tx) => {
    const client = await tx.query.introspectionClients.findFirst({ where: eq(introspectionClients.id, id) });
    if (!client) throw notFound("client_not_found", "No introspection client with this id");
    if (client.revokedAt !== null) return toClientView(client);
    const revokedAt = deps.clock.now();
    await tx.update(introspectionClients).set({ revokedAt }).where(eq(introspectionClients.id, id));
    await auditIn(tx, deps, { event: "introspection_client.revoked", actor, detail: { clientId: id } });
    return toClientView({ ...client, revokedAt });
  });
}

const invalidClient = () =>
  new AppError(401, "invalid_client", "Authenticate with the client id and secret: Authorization: Basic …", {
    "WWW-Authenticate": 'Basic realm="seatkey introspection"',
  });

/** "Basic base64(id:secret)" → id and secret (each form-urlencoded per RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined | null): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]{1,512})$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1) return undefined;
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
    };
  } catch {
    return undefined;
  }
}

/** The live client of an Authorization header; 401 invalid_client for anything else. */
export async function authenticateClient(deps: Deps, authorization: string | undefined | null): Promise<Client> {
  const credentials = basicCredentials(authorization);
  if (!credentials || credentials.id.length > 64) throw invalidClient();
  const client = await deps.db.orm.query.introspectionClients.findFirst({
    where: eq(introspectionClients.id, credentials.id),
  });
  const presented = sha256Hex(credentials.secret);
  // Compared even for an unknown id, so the answer takes the same time.
  const matches = constantTimeEqual(presented, client?.secretHash ?? sha256Hex(""));
  if (!client || !matches || client.revokedAt !== null) throw invalidClient();
  return client;
}
