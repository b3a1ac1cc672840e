// Password policy, NIST SP 800-63B rev 4: length in code points after NFKC, any characters,
// no composition rules, common passwords and the account's email refused.
import { describe, expect, test } from "bun:test";
import { AppError } from "../src/errors";
import { assertPasswordPolicy, normalizePassword, passwordProblem } from "../src/passwords/policy";

const limits = { passwordMinLength: 15, passwordMaxLength: 256 };
const check = (password: string, email?: string) => passwordProblem(limits, { password, email });

describe("length", () => {
  test("refuses an empty password and anything under the minimum, saying how long it must be", () => {
    expect(check("")).toBe("Enter a password.");
    expect(check("fourteen chars")).toContain("at least 15 characters (you have 14)");
  });

  test("accepts exactly the minimum and exactly the maximum", () => {
    expect(check("fifteen chars!!")).toBeUndefined();
    expect(check("the quick brown fox jumps over the lazy dog. ".repeat(6).slice(0, 256))).toBeUndefined();
  });

  test("refuses more than the maximum", () => {
    expect(check("z".repeat(257))).toContain("at most 256 characters (you have 257)");
  });

  test("counts Unicode code points, not UTF-16 units: 15 emoji are 15 characters", () => {
    const emoji = "🔑🐱🌵🚲🎈🍕🌙🐙🎲🧩🦊🍀🎸🌈🔥"; // 30 UTF-16 units
    expect(check(emoji)).toBeUndefined();
    expect(check("🔑".repeat(14))).toContain("you have 14");
    expect(check("🔑".repeat(200) + "a".repeat(57))).toContain("you have 257");
  });

  test("honours a configured minimum", () => {
    expect(passwordProblem({ passwordMinLength: 20, passwordMaxLength: 256 }, { password: "a".repeat(19) })).toContain(
      "at least 20",
    );
  });
});

describe("no composition rules, any characters", () => {
  test("all lower-case words, spaces, punctuation, non-Latin scripts are all fine", () => {
    for (const p of [
      "purple monkey dishwasher",
      "ça marche très bien !",
      "пароль из многих слов",
      "我的猫每天早上都喜欢在窗台上晒太阳",
    ]) {
      expect(check(p)).toBeUndefined();
    }
  });

  test("NFKC: full-width letters count as their ASCII forms, and both spellings normalise alike", () => {
    expect(normalizePassword("ｐａｓｓｗｏｒｄ")).toBe("password");
    expect(normalizePassword("e\u0301")).toBe("\u00e9");
    // A common password typed in full-width forms is still the common password.
    expect(check("ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ")).toContain("commonly used"); // "passwordpassword"
  });
});

describe("common passwords", () => {
  test("refuses a long password from the bundled list, whatever its case", () => {
    expect(check("1q2w3e4r5t6y7u8i")).toBeUndefined(); // not on the list
    // Entries of at least 15 characters from @zxcvbn-ts/language-common's passwords-common.
    const { dictionary } = require("@zxcvbn-ts/language-common") as { dictionary: Record<string, string[]> };
    const long = dictionary["passwords-common"]!.filter((p) => p.length >= 15).slice(0, 5);
    expect(long.length).toBe(5);
    for (const p of long) {
      expect(check(p)).toContain("commonly used");
      expect(check(p.toUpperCase())).toContain("commonly used");
    }
  });
});

describe("email", () => {
  test("refuses a password containing the whole email, in any case", () => {
    expect(check("my mail is Ada.Lovelace@Example.com", "ada.lovelace@example.com")).toContain("email address");
  });

  test("refuses one containing the local part when it has at least 4 characters", () => {
    expect(check("ada.lovelace rules the world", "ada.lovelace@example.com")).toContain("email address");
    // A 3-letter local part is too common a substring to refuse.
    expect(check("bob the builder can fix it", "bob@example.com")).toBeUndefined();
  });

  test("without an email the check is skipped", () => {
    expect(check("ada.lovelace rules the world")).toBeUndefined();
  });
});

describe("assertPasswordPolicy", () => {
  test("throws 400 weak_password naming the field", () => {
    try {
      assertPasswordPolicy(limits, { password: "short" }, "newPassword");
      throw new Error("expected a refusal");
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ status: 400, code: "weak_password", field: "newPassword" });
    }
  });
});

describe("invisible characters and trivial patterns (no smuggling past the checks)", () => {
  test("a trailing space, U+200B, a soft hyphen or a NUL does not get a common password through", () => {
    for (const smuggled of [
      "qwerty123456789 ",
      "qwerty123456789\u200b",
      "qwerty\u00ad123456789",
      "\u0000qwerty123456789",
      "QWERTY123456789\u2060",
      " q w e r t y 1 2 3 4 5 6 7 8 9",
    ]) {
      expect([smuggled, check(smuggled)]).toEqual([smuggled, expect.stringContaining("commonly used")]);
    }
  });

  test("invisible characters do not count towards the length", () => {
    expect(check("\u200b".repeat(40))).toBe("Enter a password.");
    expect(check("\u0000".repeat(15))).toBe("Enter a password.");
    expect(check("fourteen chars\u200b\u200b")).toContain("you have 14");
  });

  test("very few distinct characters are refused, with a helpful message", () => {
    expect(check(" ".repeat(15))).toContain("only 0 different characters");
    expect(check("q".repeat(15))).toContain("only 1 different character ");
    expect(check("abab abab abab abab")).toContain("only 2 different characters");
    expect(check("q".repeat(15))).toContain("Try a short sentence");
  });

  test("a chunk repeated three times or more, and straight runs, are refused", () => {
    expect(check("abcdeabcdeabcde")).toContain("repeats");
    expect(check("abcdefghijklmnop")).toContain("simple sequence");
    expect(check("zyxwvutsrqponmlk")).toContain("simple sequence");
    expect(check("1234567890123456")).toContain("simple sequence");
    // A passphrase said twice is not a trivial pattern.
    expect(check("correct horse correct horse")).toBeUndefined();
  });
});
