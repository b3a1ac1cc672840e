// A real HTTP receiver of event webhooks on 127.0.0.1 that checks every delivery with the
// `standardwebhooks` package (a verifier nobody here wrote). It can be down (nothing listening),
// answer an error, hang, or be slow, and it records what came in and how many at once.
import { setSystemTime } from "bun:test";
import type { Server } from "bun";
import { Webhook } from "standardwebhooks";

export interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The parsed payload when the signature verified with one of the receiver's secrets. */
  verified: unknown;
  error: string | null;
}

export type ReceiverMode = "ok" | "error" | "hang" | "redirect" | "huge";

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  mode: ReceiverMode;
  /** Milliseconds to wait before answering (widens races). */
  delayMs: number;
  secrets: string[];
  /** Most requests with one webhook-id in flight at once, per id. */
  maxInFlight: Map<string, number>;
  /** The sender's notion of now, for the timestamp check (tests run on an injected clock). */
  now: (() => number) | undefined;
  verify(r: Pick<Received, "id" | "timestamp" | "signature" | "body">, secret?: string): unknown;
  start(): void;
  stop(): void;
}

export function startReceiver(secrets: string[] = [], port = 0): Receiver {
  let server: Server<unknown> | undefined;
  const inFlight = new Map<string, number>();
  const receiver: Receiver = {
    url: "",
    port,
    received: [],
    mode: "ok",
    delayMs: 0,
    secrets,
    maxInFlight: new Map(),
    now: undefined,
    verify(r, secret) {
      const headers = { "webhook-id": r.id, "webhook-timestamp": r.timestamp, "webhook-signature": r.signature };
      const candidates = secret ? [secret] : receiver.secrets;
      let last: unknown = new Error("no secret");
      for (const s of candidates) {
        if (receiver.now) setSystemTime(new Date(receiver.now()));
        try {
          return new Webhook(s).verify(r.body, headers);
        } catch (error) {
          last = error;
        } finally {
          if (receiver.now) setSystemTime();
        }
      }
      throw last;
    },
    start() {
      server = Bun.serve({ port: receiver.port, hostname: "127.0.0.1", fetch: handle });
      receiver.port = server.port as number;
      receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
    },
    stop() {
      server?.stop(true);
      server = undefined;
    },
  };

  async function handle(request: Request): Promise<Response> {
    const h = (name: string) => request.headers.get(name) ?? "";
    const r = { id: h("webhook-id"), timestamp: h("webhook-timestamp"), signature: h("webhook-signature") };
    const body = await request.text();
    const entry: Received = { ...r, body, verified: undefined, error: null };
    try {
      entry.verified = receiver.verify({ ...r, body });
    } catch (error) {
      entry.error = String(error);
    }
    receiver.received.push(entry);
    const now = (inFlight.get(r.id) ?? 0) + 1;
    inFlight.set(r.id, now);
    receiver.maxInFlight.set(r.id, Math.max(now, receiver.maxInFlight.get(r.id) ?? 0));
    try {
      if (receiver.delayMs) await Bun.sleep(receiver.delayMs);
      return await answer(receiver.mode);
    } finally {
      inFlight.set(r.id, (inFlight.get(r.id) ?? 1) - 1);
    }
  }

  receiver.start();
  return receiver;
}

async function answer(mode: ReceiverMode): Promise<Response> {
  switch (mode) {
    case "ok":
      return new Response("thanks");
    case "error":
      return new Response("receiver broke", { status: 503 });
    case "redirect":
      return new Response(null, { status: 302, headers: { location: "/elsewhere" } });
    case "huge":
      return new Response("x".repeat(2 * 1024 * 1024), { status: 500 });
    case "hang":
      return new Promise<Response>(() => {});
  }
}
