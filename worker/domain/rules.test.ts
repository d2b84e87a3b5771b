import { describe, expect, it } from "vitest";
import { evaluate, holds, leastLoaded, nextInRotation, type Facts } from "./rules";
import { isSafeRegExp } from "../contract";

const facts: Facts = {
  channel: "chat",
  subject: "Refund for order 1234",
  body: "Hallo, ich möchte mein Geld zurück",
  contact: { email: "jo@bigcorp.de", name: "Jo", language: "de", tags: ["vip"] },
};

describe("rule conditions", () => {
  it("compares without regard to case: equals, contains, matches; tags match any", () => {
    expect(holds({ field: "contact.language", op: "equals", value: "DE" }, facts)).toBe(true);
    expect(holds({ field: "subject", op: "contains", value: "refund" }, facts)).toBe(true);
    expect(holds({ field: "contact.email", op: "matches", value: "@bigcorp\\.(de|com)$" }, facts)).toBe(true);
    expect(holds({ field: "contact.tag", op: "equals", value: "VIP" }, facts)).toBe(true);
    expect(holds({ field: "channel", op: "equals", value: "email" }, facts)).toBe(false);
  });
});

describe("rule evaluation", () => {
  const german = { field: "contact.language", op: "equals", value: "de" } as const;
  it("runs rules in order: first assignment and first priority win, tags add up, disabled rules skip", () => {
    const outcome = evaluate(
      [
        { name: "off", enabled: false, conditions: [], actions: [{ type: "assign_agent", userId: "us_off" }] },
        {
          name: "German",
          enabled: true,
          conditions: [german],
          actions: [
            { type: "assign_round_robin", teamId: "tm_de" },
            { type: "add_tags", tags: ["german"] },
          ],
        },
        {
          name: "Refunds",
          enabled: true,
          conditions: [{ field: "subject", op: "contains", value: "refund" }],
          actions: [
            { type: "assign_agent", userId: "us_bea" },
            { type: "add_tags", tags: ["refund", "German"] },
            { type: "set_priority", priority: "high" },
          ],
        },
        { name: "Everyone", enabled: true, conditions: [], actions: [{ type: "set_priority", priority: "low" }] },
        {
          name: "Email only",
          enabled: true,
          conditions: [{ field: "channel", op: "equals", value: "email" }],
          actions: [{ type: "add_tags", tags: ["mail"] }],
        },
      ],
      facts,
    );
    expect(outcome).toEqual({
      assignment: { type: "assign_round_robin", teamId: "tm_de", rule: "German" },
      tags: ["german", "refund"],
      priority: "high",
      applied: ["German", "Refunds", "Everyone"],
    });
  });
});

describe("assignment strategies", () => {
  it("rotates evenly through the team, wrapping around and surviving members leaving", () => {
    const team = ["us_c", "us_a", "us_b"];
    const served: string[] = [];
    let last: string | null = null;
    for (let i = 0; i < 6; i++) {
      last = nextInRotation(team, last)!;
      served.push(last);
    }
    expect(served).toEqual(["us_a", "us_b", "us_c", "us_a", "us_b", "us_c"]);
    expect(nextInRotation(["us_a", "us_c"], "us_b")).toBe("us_c");
    expect(nextInRotation([], null)).toBeNull();
  });

  it("picks the member with the fewest open conversations", () => {
    expect(
      leastLoaded(
        new Map([
          ["us_a", 3],
          ["us_b", 1],
          ["us_c", 1],
        ]),
      ),
    ).toBe("us_b");
    expect(leastLoaded(new Map())).toBeNull();
  });
});

describe("patterns that could backtrack for ever", () => {
  it("are refused, while everyday patterns pass", () => {
    for (const bad of ["(a+)+$", "(\\w*)*x", "(x{2,})+y", "((ab)*c)+", "(a)\\1"]) expect(isSafeRegExp(bad)).toBe(false);
    for (const good of ["refund|chargeback", "^inv-\\d+$", "(urgent|asap)", "[a-z]+@example\\.com", "(\\d{3})-\\d+"])
      expect(isSafeRegExp(good)).toBe(true);
  });

  it("a matches rule reads a capped slice of a huge message, quickly", () => {
    const condition = { field: "body" as const, op: "matches" as const, value: "a+b" };
    const huge: Facts = { ...facts, body: "a".repeat(200_000) };
    const started = Date.now();
    expect(holds(condition, huge)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
