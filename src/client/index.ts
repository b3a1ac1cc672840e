// seatkey/client: sign in to a seatkey server from an app and always have a valid access token.
//   const seatkey = createSeatkeyClient({ baseUrl: "https://auth.example.com", productId: "pro" });
//   await seatkey.login(email, password);
//   fetch(api, { headers: { authorization: `Bearer ${await seatkey.getAccessToken()}` } });
// One refresh at a time, shared by every caller (and, in cookie mode, by every tab); a background
// heartbeat refreshes before expiry so an open app keeps its seat. No dependency beyond fetch.
import { answerOf, errorOf, peekClaims, post, type AuthAnswer, type Transport } from "./http.js";
import { linkTabs, soloLink, type TabMessage } from "./tabs.js";
import {
  memoryStorage,
  SeatkeyError,
  type ClientState,
  type SeatkeyClient,
  type SeatkeyClientOptions,
  type SeatkeyEvent,
  type SeatState,
  type SignOutReason,
  type Timers,
} from "./types.js";

export * from "./types.js";

// 0 + 0.5 + 1 + 2 + 4 + 8 s ≈ 15 s of retries: well inside the server's grace window (30 s), where
// re-sending a token whose answer was lost is answered with the same successor.
const REFRESH_RETRIES = 6;
const LOGOUT_RETRIES = 2;
const MAX_HEARTBEAT_BACKOFF_MS = 5 * 60_000;

/** How a refusal of the refresh token reads to the app. */
const SIGN_OUT_REASONS: Record<string, SignOutReason | null> = {
  token_reused: "reuse_detected",
  session_expired: "expired",
  missing_token: null,
};

const defaultTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};

interface Access {
  token: string;
  /** Local Unix ms: refresh from here on; the token is still valid until expiresAt. */
  refreshAt: number;
  expiresAt: number;
  /** Server clock minus local clock (ms), from the token's iat: to place seatFreeAt locally. */
  serverOffset: number;
}

export function createSeatkeyClient(options: SeatkeyClientOptions): SeatkeyClient {
  const timers = options.timers ?? defaultTimers;
  const storage = options.storage ?? memoryStorage();
  const cookieOnly = storage.mode === "cookie";
  const transport: Transport = {
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timers,
    credentials: cookieOnly,
  };
  const listeners = new Set<(event: SeatkeyEvent) => void>();
  const tabs = cookieOnly ? linkTabs(`seatkey:${transport.baseUrl}`, onTabMessage) : soloLink;
  let state: ClientState = { status: "unknown" };
  let access: Access | null = null;
  let inflight: Promise<void> | null = null;
  let heartbeat: unknown;
  let heartbeatFailures = 0;

  function emit(event: SeatkeyEvent): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error; // reported like any uncaught error; the client and other listeners go on
        });
      }
    }
  }

  /** Takes a login / refresh answer (this tab's or another's) as the current session. */
  function apply(answer: AuthAnswer, receivedAt: number): void {
    const claims = peekClaims(answer.accessToken);
    const ttl = answer.expiresIn * 1000;
    const refreshAt = receivedAt + ttl - Math.min(60_000, ttl / 5);
    const serverOffset = claims.iat === undefined ? 0 : claims.iat * 1000 - receivedAt;
    access = { token: answer.accessToken, refreshAt, expiresAt: receivedAt + ttl, serverOffset };
    const seat: SeatState = {
      sessionId: answer.sessionId,
      limited: answer.limited,
      limitedReason: answer.limited ? (answer.limitedReason ?? null) : null,
      seatFreeAt: answer.seatFreeAt ?? null,
      product: answer.product !== undefined ? answer.product : (claims.product ?? null),
    };
    const previous = state.status === "signed_in" ? state.seat : null;
    state = { status: "signed_in", seat };
    heartbeatFailures = 0;
    schedule();
    announce(previous, seat);
  }

  function announce(previous: SeatState | null, seat: SeatState): void {
    if (!previous) emit({ type: "signed_in", seat });
    if (seat.limited) {
      const changed = previous?.limitedReason !== seat.limitedReason || previous?.seatFreeAt !== seat.seatFreeAt;
      if (!previous?.limited || changed) emit({ type: "limited", seat });
    } else if (previous?.limited) {
      emit({ type: "seat_regained", seat });
    }
  }

  /** The heartbeat: before the token's refresh time, or when a cooling seat frees if sooner. */
  function schedule(delayMs?: number): void {
    if (heartbeat !== undefined) timers.clearTimeout(heartbeat);
    heartbeat = undefined;
    if (options.heartbeat === false || state.status !== "signed_in" || !access) return;
    let at = access.refreshAt;
    if (state.seat.limited && state.seat.seatFreeAt)
      at = Math.min(at, state.seat.seatFreeAt - access.serverOffset + 1000);
    heartbeat = timers.setTimeout(beat, delayMs ?? Math.max(0, at - timers.now()));
    (heartbeat as { unref?: () => void } | undefined)?.unref?.(); // an idle CLI may still exit
  }

  async function beat(): Promise<void> {
    heartbeat = undefined;
    try {
      await refresh(true);
    } catch {
      // offline, or the server is down: try again later (a refusal has signed out already)
      if (state.status === "signed_in") schedule(Math.min(MAX_HEARTBEAT_BACKOFF_MS, 30_000 * 2 ** heartbeatFailures++));
    }
  }

  const fresh = () => access !== null && timers.now() < access.refreshAt;

  /** One refresh in flight, shared by every caller (and by every tab, through a Web Lock). */
  function refresh(force = false): Promise<void> {
    inflight ??= tabs
      .exclusive(
        () => refreshNow(force),
        () => force || !fresh(),
      )
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  async function refreshNow(force: boolean): Promise<void> {
    if (!force && fresh()) return; // another tab's answer arrived while this one waited for the lock
    if (state.status === "signed_out") throw signedOut();
    const token = cookieOnly ? undefined : await storage.load();
    if (!cookieOnly && !token) return signOut(state.status === "unknown" ? null : "revoked", false);
    const body = cookieOnly ? { cookieOnly: true } : { refreshToken: token };
    const res = await post(transport, "/api/auth/refresh-token", body, REFRESH_RETRIES);
    if (res.status === 401) {
      const error = await errorOf(res);
      return signOut(error.code in SIGN_OUT_REASONS ? (SIGN_OUT_REASONS[error.code] ?? null) : "revoked", true);
    }
    if (!res.ok) throw await errorOf(res);
    await accept(await answerOf(res));
  }

  async function accept(answer: AuthAnswer): Promise<void> {
    const receivedAt = timers.now();
    // Stored before anything else: from now on the successor is the only token this client sends.
    if (!cookieOnly && answer.refreshToken) await storage.save(answer.refreshToken);
    apply(answer, receivedAt);
    const shared = { ...answer };
    delete shared.refreshToken; // never handed on (in cookie mode the server does not even send it)
    tabs.publish({ kind: "answer", answer: shared, receivedAt });
  }

  async function signOut(reason: SignOutReason | null, publish: boolean): Promise<void> {
    if (heartbeat !== undefined) timers.clearTimeout(heartbeat);
    heartbeat = undefined;
    access = null;
    const was = state.status;
    state = { status: "signed_out", reason };
    if (!cookieOnly) await storage.save(null);
    if (publish) tabs.publish({ kind: "signed_out", reason });
    if (was !== "signed_out") emit({ type: "signed_out", reason });
  }

  function signedOut(): SeatkeyError {
    const reason = state.status === "signed_out" && state.reason ? ` (${state.reason})` : "";
    return new SeatkeyError("signed_out", `Not signed in${reason}; log in again`);
  }

  function onTabMessage(message: TabMessage): void {
    if (message.kind === "signed_out") void signOut(message.reason, false);
    else if (message.receivedAt + message.answer.expiresIn * 1000 > (access?.expiresAt ?? 0)) {
      apply(message.answer, message.receivedAt);
    }
  }

  return {
    get state() {
      return state;
    },

    async login(email, password) {
      await inflight?.catch(() => {});
      if (state.status === "signed_in") await this.logout(); // frees the old session's seat
      const body = { email, password, productId: options.productId, ...(cookieOnly ? { cookieOnly: true } : {}) };
      // Never retried: a login whose answer was lost has already taken a seat.
      const res = await post(transport, "/api/auth/login", body, 0);
      if (!res.ok) throw await errorOf(res);
      await accept(await answerOf(res));
      return (state as { seat: SeatState }).seat;
    },

    async logout() {
      await inflight?.catch(() => {});
      const token = cookieOnly ? undefined : await storage.load();
      let confirmed = false;
      if (cookieOnly || token) {
        try {
          const res = await post(transport, "/api/auth/logout", token ? { refreshToken: token } : {}, LOGOUT_RETRIES);
          confirmed = res.ok;
          await res.body?.cancel();
        } catch {
          // unreachable: signed out here anyway; the server frees the seat after SEAT_IDLE_TIMEOUT
        }
      }
      await signOut("logout", true);
      return confirmed;
    },

    async getAccessToken() {
      if (state.status === "signed_out") throw signedOut();
      if (!fresh()) {
        try {
          await refresh();
        } catch (error) {
          // Offline with a token that is still valid for a while: use it; the heartbeat retries.
          const usable = access !== null && timers.now() < access.expiresAt;
          if (!(error instanceof SeatkeyError && error.code === "network" && usable)) throw error;
        }
      }
      if (!access) throw signedOut();
      return access.token;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    close() {
      if (heartbeat !== undefined) timers.clearTimeout(heartbeat);
      heartbeat = undefined;
      tabs.close();
    },
  };
}
