/** The SLA countdown's arithmetic (web/app/features/inbox/sla-clock.ts): what a clock reads, when it turns amber and red, and when it next reads differently. */
import { describe, expect, it } from "vitest";
import type { SlaClock, SlaKind } from "../../worker/contract";
import { nextSlaChange, readSla } from "../../web/app/features/inbox/sla-clock";

const MIN = 60_000;
const T0 = Date.parse("2026-11-26T10:00:00.000Z");
/** A clock started at T0 and due `minutes` later. */
const clock = (minutes: number, kind: SlaKind = "first_response", breached = false): SlaClock => ({
  kind,
  startedAt: new Date(T0).toISOString(),
  dueAt: new Date(T0 + minutes * MIN).toISOString(),
  breached,
});

describe("readSla", () => {
  it("counts down in whole minutes, rounded up, in the words of its kind", () => {
    expect(readSla(clock(60), T0)).toEqual({ tone: "ok", label: "First reply in 1 h" });
    expect(readSla(clock(60), T0 + 30_000).label).toBe("First reply in 1 h");
    expect(readSla(clock(65, "next_response"), T0).label).toBe("Next reply in 1 h 5 min");
    expect(readSla(clock(12), T0 + 1).label).toBe("First reply in 12 min");
    expect(readSla(clock(2 * 1440, "resolution"), T0).label).toBe("Resolve in 2 d");
    expect(readSla(clock(1440 + 180, "resolution"), T0).label).toBe("Resolve in 1 d 3 h");
    // The last minute reads "1 min", never "0 min".
    expect(readSla(clock(1), T0 + 59_999).label).toBe("First reply in 1 min");
  });

  it("turns amber in the last 20 % of the allowance", () => {
    expect(readSla(clock(10), T0 + 8 * MIN - 1).tone).toBe("ok");
    expect(readSla(clock(10), T0 + 8 * MIN).tone).toBe("warn");
    expect(readSla(clock(10), T0 + 10 * MIN - 1).tone).toBe("warn");
  });

  it("turns red and counts the minutes overdue once due", () => {
    expect(readSla(clock(10), T0 + 10 * MIN)).toEqual({ tone: "breached", label: "Overdue 1 min" });
    expect(readSla(clock(10), T0 + 15 * MIN).label).toBe("Overdue 6 min");
    expect(readSla(clock(10), T0 + 100 * MIN).label).toBe("Overdue 1 h 31 min");
  });

  it("is red without minutes when the server marked it breached before this machine's clock agrees", () => {
    expect(readSla(clock(10, "first_response", true), T0 + 9 * MIN)).toEqual({ tone: "breached", label: "Overdue" });
  });
});

describe("nextSlaChange", () => {
  it("is the next instant the shown minutes step", () => {
    expect(nextSlaChange([clock(60)], T0 + 1000)).toBe(T0 + MIN);
    // Past due the minutes count up: 1 min from the due time, 2 min a minute later.
    expect(nextSlaChange([clock(1)], T0 + MIN)).toBe(T0 + 2 * MIN);
  });

  it("is the 20 % point when that comes before the next minute", () => {
    // Allowance 2.5 min: amber at 2 min; the minutes step at 30 s, 1 min 30 s and 2 min 30 s.
    const c = { ...clock(0), dueAt: new Date(T0 + 150_000).toISOString() };
    expect(nextSlaChange([c], T0 + 100_000)).toBe(T0 + 120_000);
    expect(readSla(c, T0 + 120_000).tone).toBe("warn");
  });

  it("is the due time in the last minute", () => {
    expect(nextSlaChange([clock(10)], T0 + 9.5 * MIN)).toBe(T0 + 10 * MIN);
  });

  it("is the earliest over every clock, always later than now, and null with none", () => {
    expect(nextSlaChange([clock(30), clock(5), clock(120)], T0 + 20_000)).toBe(T0 + MIN);
    for (const at of [T0, T0 + 7 * MIN, T0 + 10 * MIN, T0 + 33 * MIN]) {
      expect(nextSlaChange([clock(10)], at)).toBeGreaterThan(at);
    }
    expect(nextSlaChange([], T0)).toBeNull();
  });

  it("leaves nothing to read differently between one change and the next", () => {
    const c = clock(7);
    let at = T0 - 3 * MIN;
    while (at < T0 + 12 * MIN) {
      const next = nextSlaChange([c], at)!;
      const before = readSla(c, next - 1);
      expect(readSla(c, at), `unchanged from ${at - T0} ms to ${next - 1 - T0} ms`).toEqual(before);
      expect(readSla(c, next), `changed at ${next - T0} ms`).not.toEqual(before);
      at = next;
    }
  });
});
