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
    expect(check("x".repeat(128) + "y".repeat(128))).toBeUndefined();
  });

  test("refuses more than the maximum", () => {
    expect(check("z".repeat(257))).toContain("at most 256 characters (you have 257)");
  });

  test("counts Unicode code points, not UTF-16 units: 15 emoji are 15 characters", () => {
    const emoji = "🔑".repeat(15); // 30 UTF-16 units
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
      "密码密码密码密码密码密码密码密码",
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
