// Exit codes of `bun run admin` (README "Operator commands"): scripts can branch on them.
import { AppError } from "../errors";

export const EXIT = {
  ok: 0,
  /** Something failed that is not the operator's input (database unreachable, …). */
  failure: 1,
  /** Bad arguments or invalid input: the message says which. */
  usage: 2,
  notFound: 3,
  /** The change conflicts with what is there (email taken, …). */
  conflict: 4,
  /** A destructive command was not confirmed. */
  notConfirmed: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (!(error instanceof AppError)) return EXIT.failure;
  if (error.status === 404) return EXIT.notFound;
  if (error.status === 409) return EXIT.conflict;
  if (error.status === 400 || error.status === 422) return EXIT.usage;
  return EXIT.failure;
}
