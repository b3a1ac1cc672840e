// Password policy, NIST SP 800-63B rev 4 (§3.1.1.2): a minimum length (15 by default) and a
// generous maximum, any characters, no composition rules, and a refusal of passwords that are
// commonly used, made of a trivial pattern (few distinct characters, repeats, runs) or contain the
// account's email. Length is counted in Unicode code points after NFKC normalisation (the form that
// gets hashed: normalizePassword), not counting invisible characters.
import type * as ZxcvbnCommon from "@zxcvbn-ts/language-common";
import type { Config } from "../config";
import { badRequest } from "../errors";

// ~49k common and breached passwords bundled with zxcvbn-ts; built once, compared as check keys.
// Loaded at the first check rather than at start: zxcvbn-ts's dictionaries are ~14 MB of a serving
// process's memory, and most processes (logins, refreshes) never check a new password.
let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (!common) {
    const { dictionary } = require("@zxcvbn-ts/language-common") as typeof ZxcvbnCommon;
    common = new Set((dictionary["passwords-common"] as string[]).map((p) => checkForms(p).key));
  }
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

/**
 * The form every check looks at: NFKC without invisible characters (default-ignorable code points
 * such as U+200B or the soft hyphen, and control characters such as NUL), so they cannot smuggle a
 * common password past the list; `key` is that case-folded with the spaces taken out.
 */
function checkForms(password: string): { visible: string; key: string } {
  const visible = normalizePassword(password).replace(/[\p{Default_Ignorable_Code_Point}\p{Cc}]/gu, "");
  return { visible, key: visible.toLowerCase().replace(/\s+/gu, "") };
}

const MIN_DISTINCT = 5;

/** Why `password` is refused (a sentence that says what to do instead), or undefined when it is fine. */
export function passwordProblem(config: Limits, input: PolicyInput): string | undefined {
  const { visible, key } = checkForms(input.password);
  const length = [...visible].length;
  if (length === 0) return "Enter a password.";
  if (length < config.passwordMinLength) {
    return `Use at least ${config.passwordMinLength} characters (you have ${length}). A short sentence or a few unrelated words are long and easy to remember.`;
  }
  if (length > config.passwordMaxLength) {
    return `Use at most ${config.passwordMaxLength} characters (you have ${length}).`;
  }
  if (commonPasswords().has(key)) {
    return "This password is on a list of commonly used passwords, so it is easy to guess. Choose one that is unique to you.";
  }
  const pattern = simplePattern(key);
  if (pattern) return `${pattern} Try a short sentence or a few unrelated words instead.`;
  if (containsEmail(key, input.email)) {
    return "Don't include your email address in your password. Choose something unrelated to it.";
  }
  return undefined;
}

/** Long but easy to guess: very few different characters, one chunk three times or more, or a straight run. */
function simplePattern(key: string): string | undefined {
  const chars = [...key];
  const distinct = new Set(chars).size;
  if (distinct < MIN_DISTINCT) {
    return `This password uses only ${distinct} different character${distinct === 1 ? "" : "s"} (not counting spaces), so it is easy to guess.`;
  }
  for (let unit = 1; unit <= chars.length / 3; unit++) {
    if (
      chars.length % unit === 0 &&
      chars.join("") ===
        chars
          .slice(0, unit)
          .join("")
          .repeat(chars.length / unit)
    ) {
      return "This password repeats the same few characters over and over, so it is easy to guess.";
    }
  }
  const steps = new Set(chars.slice(1).map((c, i) => stepBetween(chars[i] ?? "", c)));
  if (steps.size === 1 && [...steps].every((s) => s === 1 || s === -1)) {
    return "This password is a simple sequence (like abcdef… or 12345…), so it is easy to guess.";
  }
  return undefined;
}

/** Code point distance between neighbours; digits wrap (…8, 9, 0, 1…). */
function stepBetween(a: string, b: string): number {
  if (a === "9" && b === "0") return 1;
  if (a === "0" && b === "9") return -1;
  return (b.codePointAt(0) ?? 0) - (a.codePointAt(0) ?? 0);
}

function containsEmail(key: string, email: string | undefined): boolean {
  const address = email?.trim().toLowerCase();
  if (!address) return false;
  const local = address.split("@")[0] ?? "";
  return key.includes(address) || (local.length >= 4 && key.includes(local));
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
