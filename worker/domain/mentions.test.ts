import { describe, expect, it } from "vitest";
import { countedMentions, followersFromMentions, mentionsFollow } from "./mentions";

const bea = { id: "bea", name: "Bea" };
const cy = { id: "cy", name: "Cy" };

describe("mentions", () => {
  it("count in notes only", () => {
    expect(countedMentions("note", [bea, cy])).toEqual([bea, cy]);
    expect(countedMentions("reply", [bea, cy])).toEqual([]);
    expect(countedMentions("customer", [bea])).toEqual([]);
    expect(countedMentions("note", undefined)).toEqual([]);
  });

  it("add followers only when the author may reply", () => {
    expect(mentionsFollow("reply")).toBe(true);
    expect(mentionsFollow("note")).toBe(false);
    expect(mentionsFollow("view")).toBe(false);
    expect(mentionsFollow(null)).toBe(false);
  });

  it("add as followers only those not following yet", () => {
    expect(followersFromMentions([bea, cy], true, new Set(["cy"]))).toEqual([bea]);
    expect(followersFromMentions([bea, cy], false, new Set())).toEqual([]);
  });
});
