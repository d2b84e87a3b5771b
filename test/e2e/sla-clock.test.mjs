// Unit tests (no browser, no server) for the SLA countdown's arithmetic: what a
// clock reads, when it turns amber and red, and when it next reads differently.
// Node runs the TypeScript source directly (type stripping).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { nextSlaChange, readSla, spanLabel } from "../../web/app/features/inbox/sla-clock.ts";

const MIN = 60_000;
const T0 = Date.parse("2026-11-26T10:00:00.000Z");
/** A clock started at T0 and due `minutes` later. */
const clock = (minutes, kind = "first_response", breached = false) => ({
  kind,
  startedAt: new Date(T0).toISOString(),
  dueAt: new Date(T0 + minutes * MIN).toISOString(),
  breached,
});

describe("readSla", () => {
  test("counts down in whole minutes, rounded up, in the words of its kind", () => {
    assert.deepEqual(readSla(clock(60), T0), { tone: "ok", label: "First reply in 1 h" });
    assert.equal(readSla(clock(60), T0 + 30_000).label, "First reply in 1 h", "59.5 minutes left read as 1 h");
    assert.equal(readSla(clock(65, "next_response"), T0).label, "Next reply in 1 h 5 min");
    assert.equal(readSla(clock(12), T0 + 1).label, "First reply in 12 min");
    assert.equal(readSla(clock(2 * 1440, "resolution"), T0).label, "Resolve in 2 d");
    assert.equal(readSla(clock(1440 + 180, "resolution"), T0).label, "Resolve in 1 d 3 h");
    assert.equal(readSla(clock(1), T0 + 59_999).label, "First reply in 1 min", "never 0 min");
  });

  test("turns amber in the last 20 % of the allowance", () => {
    assert.equal(readSla(clock(10), T0 + 8 * MIN - 1).tone, "ok");
    assert.equal(readSla(clock(10), T0 + 8 * MIN).tone, "warn");
    assert.equal(readSla(clock(10), T0 + 10 * MIN - 1).tone, "warn");
  });

  test("turns red and counts the minutes overdue once due", () => {
    assert.deepEqual(readSla(clock(10), T0 + 10 * MIN), { tone: "breached", label: "Overdue 1 min" });
    assert.equal(readSla(clock(10), T0 + 15 * MIN).label, "Overdue 6 min");
    assert.equal(readSla(clock(10), T0 + 10 * MIN + 90 * MIN).label, "Overdue 1 h 31 min");
  });

  test("marked breached by the server before this machine's clock agrees: red, no minutes", () => {
    assert.deepEqual(readSla(clock(10, "first_response", true), T0 + 9 * MIN), { tone: "breached", label: "Overdue" });
  });
});

describe("nextSlaChange", () => {
  test("is the next instant the shown minutes step", () => {
    assert.equal(nextSlaChange([clock(60)], T0 + 1000), T0 + MIN);
    // Past due the minutes count up: 1 min from the due time, 2 min a minute later.
    assert.equal(nextSlaChange([clock(1)], T0 + MIN), T0 + 2 * MIN);
  });

  test("is the 20 % point when that comes before the next minute", () => {
    // Allowance 2.5 min: amber at 2 min; the minutes step at 30 s, 1 min 30 s, 2 min 30 s.
    const c = { ...clock(0), dueAt: new Date(T0 + 150_000).toISOString() };
    assert.equal(nextSlaChange([c], T0 + 100_000), T0 + 120_000);
    assert.equal(readSla(c, T0 + 120_000).tone, "warn");
  });

  test("is the due time in the last minute", () => {
    assert.equal(nextSlaChange([clock(10)], T0 + 9.5 * MIN), T0 + 10 * MIN);
  });

  test("is the earliest over every clock, later than now, and null with none", () => {
    const now = T0 + 20_000;
    assert.equal(nextSlaChange([clock(30), clock(5), clock(120)], now), T0 + MIN);
    for (const at of [T0, T0 + 7 * MIN, T0 + 10 * MIN, T0 + 33 * MIN]) {
      assert.ok(nextSlaChange([clock(10)], at) > at);
    }
    assert.equal(nextSlaChange([], now), null);
  });

  test("nothing reads differently between now and the next change", () => {
    const c = clock(7);
    let at = T0 - 3 * MIN;
    while (at < T0 + 12 * MIN) {
      const next = nextSlaChange([c], at);
      const before = readSla(c, next - 1);
      assert.deepEqual(readSla(c, at), before, `unchanged from ${at - T0} ms to ${next - 1 - T0} ms`);
      assert.notDeepEqual(readSla(c, next), before, `changed at ${next - T0} ms`);
      at = next;
    }
  });
});

test("spanLabel: a measured span in its two largest units", () => {
  assert.equal(spanLabel(45_000), "45 s");
  assert.equal(spanLabel(4 * MIN), "4 min");
  assert.equal(spanLabel(125 * MIN), "2 h 5 min");
  assert.equal(spanLabel(3 * 1440 * MIN), "3 d");
});
