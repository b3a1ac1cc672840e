// The one error every part of seatkey/verify throws: an HTTP status and a machine code, shaped by
// the adapters into seatkey's own error body { error, code }.
export type VerifyErrorCode =
  | "missing_token"
  | "invalid_token"
  | "token_expired"
  | "token_inactive"
  | "introspection_failed"
  | "no_seat"
  | "wrong_product";

const STATUS: Record<VerifyErrorCode, number> = {
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  token_inactive: 401,
  introspection_failed: 503,
  no_seat: 403,
  wrong_product: 403,
};

export class VerifyError extends Error {
  readonly status: number;
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "VerifyError";
    this.status = STATUS[code];
  }

  /** seatkey's error body, for an adapter to send. */
  toJSON(): { error: string; code: VerifyErrorCode } {
    return { error: this.message, code: this.code };
  }
}
