// `bun run admin <command>`: the operator's terminal over the same use cases as the API.
// Commander parses and writes the help of every level; each command is a few lines calling a
// use case and printing its result (src/cli/commands/).
import { Command, CommanderError } from "commander";
import { buildDeps } from "../boot";
import { loadConfig } from "../config";
import type { Deps } from "../deps";
import { AppError, notFound } from "../errors";
import { flushOutbox } from "../mail/sender";
import { findUserByEmail, findUserById } from "../users/service";
import type { User } from "../../db/schema";
import { CliError, EXIT, exitCodeFor } from "./exit";
import { createOutput, type Output } from "./output";

/** Who an operator's change is attributed to in the audit log. */
export const OPERATOR = "operator";

export interface Context {
  out: Output;
  /** Runs `fn` on a freshly opened database; with `mail`, sends what it queued before returning. */
  run<T>(fn: (deps: Deps) => Promise<T>, options?: { mail?: boolean }): Promise<T>;
}

export type Register = (program: Command, context: (cmd: Command) => Context) => void;

export function buildProgram(registers: Register[]): Command {
  const program = new Command("admin")
    .usage("<command> [options]")
    .description("seatkey operator commands, on the database DATABASE_URL points at (bun run admin …)")
    .option("--json", "print one JSON document instead of tables (for scripts)")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  for (const register of registers) register(program, contextFor);
  return program;
}

function contextFor(cmd: Command): Context {
  const out = createOutput(Boolean(cmd.optsWithGlobals().json));
  return { out, run: withDeps };
}

async function withDeps<T>(fn: (deps: Deps) => Promise<T>, options: { mail?: boolean } = {}): Promise<T> {
  const deps = await buildDeps(loadConfig(process.env));
  try {
    const result = await fn(deps);
    if (options.mail) {
      const mail = await flushOutbox(deps);
      if (mail.failed > 0) console.error("a mail could not be sent yet; the server will retry it");
    }
    return result;
  } finally {
    deps.db.close();
  }
}

/** Parses `argv` and runs the command; resolves to the exit code (README "Operator commands"). */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    // Commander has already printed its message (or the help).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const json = argv.includes("--json");
    const message = error instanceof Error ? error.message : String(error);
    if (json) {
      const code = error instanceof AppError ? error.code : error instanceof CliError ? "refused" : "failed";
      console.log(JSON.stringify({ error: message, code }));
    }
    console.error(`seatkey admin: ${message}`);
    return exitCodeFor(error);
  }
}

/** A user by email (anything with an @) or id; 404 saying how to find one. */
export async function findUserByRef(deps: Deps, ref: string): Promise<User> {
  const user = ref.includes("@") ? await findUserByEmail(deps, ref) : await findUserById(deps, ref);
  if (!user) throw notFound("user_not_found", `No user ${ref}. Find one with: bun run admin users find <text>`);
  return user;
}

/** Parses a whole number option; a CliError (exit 2) naming it otherwise. */
export function wholeNumber(value: string, name: string, min = 1): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < min) {
    throw new CliError(`${name} must be a whole number of at least ${min} (got "${value}")`, EXIT.usage);
  }
  return Number(value);
}
