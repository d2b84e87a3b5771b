import { describe, expect, it } from "vitest";
import { mapBounded } from "./pool";

describe("mapBounded", () => {
  it("answers in order, never runs more than the limit at once, and turns a throw into that item's answer", async () => {
    let running = 0;
    let most = 0;
    const gates = new Map<number, () => void>();
    const task = async (n: number): Promise<number | string> => {
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.set(n, resolve));
      running--;
      if (n === 3) throw new Error("three");
      return n * 10;
    };
    const done = mapBounded([1, 2, 3, 4, 5], 2, task, (n, e) => `${n}: ${(e as Error).message}`);
    // Release in reverse as they start, so later items finish first.
    for (let opened = 0; opened < 5; ) {
      await Promise.resolve();
      for (const [n, release] of [...gates].reverse()) {
        gates.delete(n);
        release();
        opened++;
      }
    }
    expect(await done).toEqual([10, 20, "3: three", 40, 50]);
    expect(most).toBe(2);
  });

  it("answers nothing for no items", async () => {
    expect(
      await mapBounded(
        [],
        8,
        async () => 1,
        () => 0,
      ),
    ).toEqual([]);
  });
});
