import { describe, expect, it } from "vitest";
import { chunkRows, MAX_PARAMS } from "./chunks";

describe("chunkRows", () => {
  it("splits rows into statements that each bind at most MAX_PARAMS, keeping order and every row", () => {
    const rows = Array.from({ length: 41 }, (_, i) => i);
    const parts = chunkRows(rows, 8);
    for (const part of parts) expect(part.length * 8).toBeLessThanOrEqual(MAX_PARAMS);
    expect(parts.flat()).toEqual(rows);
  });

  it("gives nothing for no rows, and one row per statement when a row is wider than the limit", () => {
    expect(chunkRows([], 11)).toEqual([]);
    expect(chunkRows([1, 2], 500)).toEqual([[1], [2]]);
  });
});
