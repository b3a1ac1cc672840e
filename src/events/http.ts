// Sending one signed delivery, safely: http(s) only, the host's addresses resolved and refused
// when private, loopback or otherwise not public (unless EVENTS_ALLOW_PRIVATE), no redirects
// followed, a 10 s timeout, and at most a few KiB of the answer read.
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { Webhook } from "standardwebhooks";
import { errorMessage } from "../lib/batch-runner";

export const SEND_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer is read (kept as last_error when it fails). */
const MAX_ANSWER_BYTES = 4 * 1024;
const MAX_URL_LENGTH = 2000;

/** A reason the URL can never be sent to (refused at registration). */
export function urlProblem(value: string): string | undefined {
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL like https://example.com/seatkey-events";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
  if (url.username || url.password) return "must not carry a user name or password";
  return undefined;
}

/** True for an address on the public internet; false for private, loopback, link-local, … */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

/** Throws when `url`'s host resolves to any address that is not public. */
export async function assertPublicHost(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined || addresses.length === 0) {
    throw new Error(`refused: ${host} resolves to a non-public address (${refused ?? "none"})`);
  }
}

/** whsec_… signatures of the payload with every given secret: "v1,… v1,…". */
export function signatures(secrets: string[], id: string, at: Date, payload: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(id, at, payload)).join(" ");
}

export interface SendResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/** Reads at most MAX_ANSWER_BYTES of the answer, then drops the connection's remainder. */
async function answerExcerpt(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_ANSWER_BYTES) {
    const chunk = await reader.read();
    if (chunk.done) break;
    chunks.push(chunk.value);
    size += chunk.value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString("utf8");
}

export async function sendSigned(
  input: { url: string; id: string; at: Date; payload: string; secrets: string[] },
  options: { allowPrivate: boolean },
): Promise<SendResult> {
  try {
    const url = new URL(input.url);
    const problem = urlProblem(input.url);
    if (problem) throw new Error(`URL ${problem}`);
    if (!options.allowPrivate) await assertPublicHost(url);
    const res = await fetch(url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      headers: {
        "content-type": "application/json",
        "user-agent": "seatkey-events/1",
        "webhook-id": input.id,
        "webhook-timestamp": String(Math.floor(input.at.getTime() / 1000)),
        "webhook-signature": signatures(input.secrets, input.id, input.at, input.payload),
      },
      body: input.payload,
    });
    const excerpt = await answerExcerpt(res);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
    const what = res.status >= 300 && res.status < 400 ? "redirect (not followed)" : "answer";
    return { ok: false, status: res.status, error: `HTTP ${res.status} ${what}: ${excerpt.slice(0, 300)}` };
  } catch (error) {
    return { ok: false, status: null, error: errorMessage(error) };
  }
}
