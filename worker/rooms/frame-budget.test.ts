import { describe, expect, it } from "vitest";
import { FrameBudget, FrameBudgets, type Verdict } from "./frame-budget";

const limits = { perSecond: 20, burst: 40, dropsBeforeClose: 100 };

function run(budget: FrameBudget, count: number, at: (i: number) => number): Verdict[] {
  return Array.from({ length: count }, (_, i) => budget.take(at(i)));
}

describe("a socket's frame budget", () => {
  it("never limits a client streaming drafts at its own pace", () => {
    // The composer sends at most one draft per 150 ms, with typing frames between: ~10 a second, for ten minutes.
    const verdicts = run(new FrameBudget(limits, 0), 6000, (i) => i * 100);
    expect(new Set(verdicts)).toEqual(new Set(["accept"]));
  });

  it("takes a burst, then drops the excess with one warning a second, and recovers as time passes", () => {
    const budget = new FrameBudget(limits, 0);
    const burst = run(budget, 60, () => 0);
    expect(burst.filter((v) => v === "accept")).toHaveLength(40);
    expect(burst.slice(40)).toEqual(["warn", ...Array(19).fill("drop")]);
    // 50 ms later one frame's worth has come back; the next drop is not told again so soon.
    expect([budget.take(50), budget.take(50)]).toEqual(["accept", "drop"]);
    // A second on, a new run of drops is told again, once.
    const later = run(budget, 40, () => 1000);
    expect(later.slice(18, 21)).toEqual(["accept", "warn", "drop"]);
  });

  it("closes a sustained flood, but not a client that merely runs at twice the rate", () => {
    const flood = run(new FrameBudget(limits, 0), 500, (i) => i);
    expect(flood.indexOf("close")).toBeGreaterThan(100);
    expect(flood.at(-1)).toBe("close");
    const eager = run(new FrameBudget(limits, 0), 2000, (i) => i * 25);
    expect(eager).not.toContain("close");
    expect(eager.filter((v) => v === "accept").length).toBeGreaterThan(990);
  });

  it("keeps one budget per socket", () => {
    const budgets = new FrameBudgets(limits);
    const [a, b] = [{}, {}];
    for (let i = 0; i < 40; i++) budgets.take(a, 0);
    expect([budgets.take(a, 0), budgets.take(b, 0)]).toEqual(["warn", "accept"]);
  });
});
