import { describe, expect, it } from "vitest";
import type { Status } from "../contract";
import { agentMayMove, statusAfterItem, systemMove } from "./status";

const ALL: Status[] = ["open", "snoozed", "resolved", "spam"];

describe("status machine", () => {
  it("reopens resolved conversations on a customer message or a team reply", () => {
    expect(statusAfterItem("resolved", "customer")).toBe("open");
    expect(statusAfterItem("resolved", "reply")).toBe("open");
  });

  it("wakes a snoozed conversation early on a customer message, not on a reply", () => {
    expect(statusAfterItem("snoozed", "customer")).toBe("open");
    expect(statusAfterItem("snoozed", "reply")).toBe("snoozed");
  });

  it("leaves status alone for notes and events, and never revives spam", () => {
    for (const status of ALL) {
      expect(statusAfterItem(status, "note")).toBe(status);
      expect(statusAfterItem(status, "event")).toBe(status);
    }
    expect(statusAfterItem("spam", "customer")).toBe("spam");
    expect(statusAfterItem("spam", "reply")).toBe("spam");
  });

  it("lets agents make exactly these moves", () => {
    const allowed = ALL.flatMap((from) =>
      ALL.filter((to) => agentMayMove(from, to) && from !== to).map((to) => `${from}→${to}`),
    );
    expect(allowed).toEqual([
      "open→snoozed",
      "open→resolved",
      "open→spam",
      "snoozed→open",
      "snoozed→resolved",
      "snoozed→spam",
      "resolved→open",
      "resolved→spam",
      "spam→open",
    ]);
    // Re-snoozing moves the wake-up time; asking for the current state is a no-op, not an error.
    expect(agentMayMove("snoozed", "snoozed")).toBe(true);
    expect(agentMayMove("resolved", "resolved")).toBe(true);
  });

  it("lets the sweep wake only what is still snoozed and resolve only what is still open", () => {
    expect(systemMove("snoozed", "snooze_expired")).toBe("open");
    expect(systemMove("open", "snooze_expired")).toBeNull();
    expect(systemMove("open", "idle")).toBe("resolved");
    for (const from of ["snoozed", "resolved", "spam"] as const) expect(systemMove(from, "idle")).toBeNull();
  });
});
