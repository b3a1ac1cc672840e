// The public types of seatkey/client, its error, and the two built-in refresh-token stores.

/** Why a session is limited (holds no seat): the login / refresh answer's limitedReason. */
export type LimitedReason = "no_license" | "expired" | "no_free_seat" | "seat_cooling_down" | (string & {});

/** Why the client signed out: null when there was no session to resume. */
export type SignOutReason = "logout" | "revoked" | "reuse_detected" | "expired";

export interface SeatState {
  sessionId: string;
  /** True: the session holds no seat (offer trial mode); see limitedReason. */
  limited: boolean;
  limitedReason: LimitedReason | null;
  /** With seat_cooling_down: when a seat frees (Unix ms, the server's clock); the client retries then. */
  seatFreeAt: number | null;
  /** The product whose seat the session holds; null when limited. */
  product: string | null;
}

export type ClientState =
  | { status: "unknown" } // a stored session (cookie, file) may exist; the first getAccessToken() tells
  | { status: "signed_in"; seat: SeatState }
  | { status: "signed_out"; reason: SignOutReason | null };

export type SeatkeyEvent =
  | { type: "signed_in"; seat: SeatState }
  | { type: "limited"; seat: SeatState }
  | { type: "seat_regained"; seat: SeatState }
  | { type: "signed_out"; reason: SignOutReason | null };

/**
 * Where the refresh token lives. "cookie": in seatkey's HttpOnly cookie — the browser sends it,
 * script never sees it (the API must be same-site, with CORS_ORIGINS set when cross-origin).
 */
export interface TokenStorage {
  readonly mode: "body" | "cookie";
  load(): Promise<string | null>;
  save(refreshToken: string | null): Promise<void>;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Time and timers, injectable for tests. Unix ms. */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface SeatkeyClientOptions {
  /** The seatkey server, e.g. "https://auth.example.com". */
  baseUrl: string;
  /** Log in to a seat of this product (else the server picks one of the user's products). */
  productId?: string;
  /** memoryStorage() (default), cookieStorage() in browsers, fileStorage(path) on desktops. */
  storage?: TokenStorage;
  /** Defaults to the global fetch; a test or an Electron app may pass its own. */
  fetch?: FetchLike;
  /** Refresh in the background before the access token expires, keeping the seat (default true). */
  heartbeat?: boolean;
  timers?: Timers;
}

export interface SeatkeyClient {
  readonly state: ClientState;
  login(email: string, password: string): Promise<SeatState>;
  /** Ends the session on the server (frees its seat) and signs out here; false if the server was unreachable. */
  logout(): Promise<boolean>;
  /** A valid access token, refreshed ahead of expiry; throws SeatkeyError "signed_out" without a session. */
  getAccessToken(): Promise<string>;
  subscribe(listener: (event: SeatkeyEvent) => void): () => void;
  /** Stops the heartbeat and the link between tabs. */
  close(): void;
}

/** `code` is seatkey's machine code (invalid_credentials, rate_limited, …), or "signed_out" / "network". */
export class SeatkeyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    /** With rate_limited: seconds to wait. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "SeatkeyError";
  }
}

/** Keeps the refresh token in memory: the session ends with the process or page. */
export function memoryStorage(): TokenStorage {
  let token: string | null = null;
  return {
    mode: "body",
    load: async () => token,
    save: async (value) => {
      token = value;
    },
  };
}

/** Browsers: the refresh token stays in seatkey's HttpOnly cookie; this store holds nothing. */
export function cookieStorage(): TokenStorage {
  return { mode: "cookie", load: async () => null, save: async () => {} };
}
