import { describe, expect, it } from "vitest";
import { snoozeLiesAhead, snoozeUntil, zonedTime } from "./snooze";

const at = (isoString: string) => Date.parse(isoString);
const iso = (ms: number) => new Date(ms).toISOString();

describe("snooze presets", () => {
  it("wakes in one hour", () => {
    expect(iso(snoozeUntil("in_1_hour", at("2026-11-21T22:30:00Z"), "Europe/Paris"))).toBe("2026-11-21T23:30:00.000Z");
  });

  it("wakes tomorrow at 9:00 on the agent's clock, across month ends", () => {
    // Saturday 21 Nov, 23:30 in Paris (UTC+1): tomorrow 9:00 Paris is 08:00 UTC on the 22nd.
    expect(iso(snoozeUntil("tomorrow", at("2026-11-21T22:30:00Z"), "Europe/Paris"))).toBe("2026-11-22T08:00:00.000Z");
    // Already the 22nd in Tokyo (UTC+9) at that instant: tomorrow is the 23rd, 9:00 JST = 00:00 UTC.
    expect(iso(snoozeUntil("tomorrow", at("2026-11-21T22:30:00Z"), "Asia/Tokyo"))).toBe("2026-11-23T00:00:00.000Z");
    expect(iso(snoozeUntil("tomorrow", at("2026-11-30T12:00:00Z"), "America/New_York"))).toBe(
      "2026-12-01T14:00:00.000Z",
    );
  });

  it("wakes next week on Monday at 9:00, a full week ahead when today is Monday", () => {
    expect(iso(snoozeUntil("next_week", at("2026-11-21T12:00:00Z"), "UTC"))).toBe("2026-11-23T09:00:00.000Z");
    expect(iso(snoozeUntil("next_week", at("2026-11-23T12:00:00Z"), "UTC"))).toBe("2026-11-30T09:00:00.000Z");
  });

  it("finds the right instant on daylight-saving days", () => {
    // New York springs forward on 8 March 2026: 9:00 that day is EDT (UTC-4).
    expect(iso(zonedTime(2026, 3, 8, 9, 0, "America/New_York"))).toBe("2026-03-08T13:00:00.000Z");
    expect(iso(zonedTime(2026, 3, 7, 9, 0, "America/New_York"))).toBe("2026-03-07T14:00:00.000Z");
  });
});

describe("snooze validity", () => {
  it("accepts only a wake time that lies ahead", () => {
    const now = at("2026-11-21T12:00:00Z");
    expect(snoozeLiesAhead(now + 1, now)).toBe(true);
    expect(snoozeLiesAhead(now, now)).toBe(false);
    expect(snoozeLiesAhead(now - 60_000, now)).toBe(false);
  });
});
