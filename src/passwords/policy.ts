// Password policy, NIST SP 800-63B rev 4 (§3.1.1.2): a minimum length (15 by default) and a
// generous maximum, any characters, no composition rules, and a refusal of passwords that are
// commonly used or contain the account's email. Length is counted in Unicode code points after
// NFKC normalisation, which is also the form that gets hashed (normalizePassword).
import { dictionary } from "@zxcvbn-ts/language-common";
import type { Config } from "../config";
import { badRequest } from "../errors";

// ~49k common and breached passwords bundled with zxcvbn-ts; built once, compared lower-cased.
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** The form a password is checked, hashed and verified in: NFKC, so the same text typed on any device matches. */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

export interface PolicyInput {
  password: string;
  /** The account's email: a password containing it (or its local part) is refused. */
  email?: string;
}

type Limits = Pick<Config, "passwordMinLength" | "passwordMaxLength">;

/** Why `password` is refused (a sentence that says what to do instead), or undefined when it is fine. */
export function passwordProblem(config: Limits, input: PolicyInput): string | undefined {
  const password = normalizePassword(input.password);
  const length = [...password].length;
  if (length === 0) return "Enter a password.";
  if (length < config.passwordMinLength) {
    return `Use at least ${config.passwordMinLength} characters (you have ${length}). A short sentence or a few unrelated words are long and easy to remember.`;
  }
  if (length > config.passwordMaxLength) {
    return `Use at most ${config.passwordMaxLength} characters (you have ${length}).`;
  }
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) {
    return "This password is on a list of commonly used passwords, so it is easy to guess. Choose one that is unique to you.";
  }
  if (containsEmail(lower, input.email)) {
    return "Don't include your email address in your password. Choose something unrelated to it.";
  }
  return undefined;
}

function containsEmail(lowerPassword: string, email: string | undefined): boolean {
  const address = email?.trim().toLowerCase();
  if (!address) return false;
  const local = address.split("@")[0] ?? "";
  return lowerPassword.includes(address) || (local.length >= 4 && lowerPassword.includes(local));
}

/** Why the "type it again" field is refused, or undefined when it matches. */
export function confirmProblem(password: string, confirm: string): string | undefined {
  return normalizePassword(password) === normalizePassword(confirm)
    ? undefined
    : "The two passwords don't match. Type the same password in both fields.";
}

/** Throws 400 `weak_password` naming `field` when the policy refuses the password. */
export function assertPasswordPolicy(config: Limits, input: PolicyInput, field = "password"): void {
  const problem = passwordProblem(config, input);
  if (problem) throw badRequest("weak_password", problem, field);
}
