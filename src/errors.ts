// Domain errors: thrown by services and routes, shaped by the root onError into
// { error: "<human message>", code: "<machine_code>" } with the status they carry.
import { timeUntil } from "./lib/time-text";

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly field?: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** Several fields wrong at once (a form shows each beside its field); `field` and message are the first. */
export class FieldErrors extends AppError {
  constructor(readonly fields: Record<string, string>) {
    const [field, message] = Object.entries(fields)[0] ?? ["form", "Invalid input"];
    super(400, "invalid_fields", message, {}, field);
    this.name = "FieldErrors";
  }
}

export const badRequest = (code: string, message: string, field?: string) =>
  new AppError(400, code, message, {}, field);
export const unauthorized = (code: string, message: string) => new AppError(401, code, message);
export const forbidden = (code: string, message: string) => new AppError(403, code, message);
export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const conflict = (code: string, message: string) => new AppError(409, code, message);
export const tooManyRequests = (retryAfterSeconds: number) =>
  new AppError(429, "rate_limited", `Too many attempts. Try again ${timeUntil(retryAfterSeconds)}.`, {
    "Retry-After": String(retryAfterSeconds),
  });

/** Why the database could not be opened at start: one line naming DATABASE_URL and what to do. */
export class DatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatabaseError";
  }
}

/** A validator's JSON-pointer path ("/licenses/0/seats") as the dotted field name errors carry ("licenses.0.seats"). */
export function fieldName(path: string): string {
  return path.replace(/^\//, "").replace(/\//g, ".");
}
