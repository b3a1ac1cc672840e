// How times and devices read on pages and in mails: "in 15 minutes", "Safari 17 on macOS", and
// never a raw User-Agent header (anyone can send a sentence as one).
import { describe, expect, test } from "bun:test";
import { describeDevice, deviceType } from "../src/sessions/device";
import { tooManyRequests } from "../src/errors";
import { timeAgo, timeUntil } from "../src/lib/time-text";

const MAC_SAFARI =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const IPAD =
  "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

describe("times", () => {
  test("a wait reads in the largest whole unit, rounded up, never 'in 0'", () => {
    expect(timeUntil(899)).toBe("in 15 minutes");
    expect(timeUntil(900)).toBe("in 15 minutes");
    expect(timeUntil(3600)).toBe("in 1 hour");
    expect(timeUntil(20)).toBe("in 20 seconds");
    expect(timeUntil(0)).toBe("in 1 second");
    expect(timeUntil(86400)).toBe("in 1 day");
  });

  test("the rate-limit message says the wait in words and Retry-After in seconds", () => {
    const error = tooManyRequests(899);
    expect(error.message).toBe("Too many attempts. Try again in 15 minutes.");
    expect(error.headers["Retry-After"]).toBe("899");
  });

  test("past times read as people say them", () => {
    expect(timeAgo(0, 30_000)).toBe("just now");
    expect(timeAgo(0, 3 * 60_000)).toBe("3 minutes ago");
    expect(timeAgo(0, 86400_000)).toBe("yesterday");
  });
});

describe("devices", () => {
  test("a modern Mac is 'macOS', not the frozen 'Catalina', and no vendor noise", () => {
    expect(describeDevice(MAC_SAFARI)).toBe("Safari 17 on macOS");
  });

  test("phones and tablets name their model and type", () => {
    expect(describeDevice(IPHONE)).toBe("Safari 17 on iOS 17 · iPhone");
    expect(deviceType(IPHONE)).toBe("phone");
    expect(deviceType(IPAD)).toBe("tablet");
    expect(deviceType(MAC_SAFARI)).toBe("desktop");
    expect(deviceType(null)).toBe("other");
  });

  test("an app's user agent shows its product token; free text is never shown", () => {
    expect(describeDevice("curl/8.5.0")).toBe("curl/8.5.0");
    expect(describeDevice("Your account is locked. Call +1 555 0100 now")).toBe("Unknown device");
    expect(describeDevice(null)).toBe("Unknown device");
  });
});
