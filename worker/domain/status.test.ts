import { describe, expect, it } from "vitest";
import { canTransition, statusAfterItem } from "./status";

describe("status machine", () => {
  it("reopens resolved conversations on a customer message or a team reply", () => {
    expect(statusAfterItem("resolved", "customer")).toBe("open");
    expect(statusAfterItem("resolved", "reply")).toBe("open");
  });

  it("wakes a snoozed conversation on a customer message, not on a reply", () => {
    expect(statusAfterItem("snoozed", "customer")).toBe("open");
    expect(statusAfterItem("snoozed", "reply")).toBe("snoozed");
  });

  it("leaves status alone for notes and events, and never revives spam", () => {
    for (const status of ["open", "snoozed", "resolved", "spam"] as const) {
      expect(statusAfterItem(status, "note")).toBe(status);
      expect(statusAfterItem(status, "event")).toBe(status);
    }
    expect(statusAfterItem("spam", "customer")).toBe("spam");
  });

  it("allows the transitions agents make and refuses the rest", () => {
    expect(canTransition("open", "resolved")).toBe(true);
    expect(canTransition("resolved", "open")).toBe(true);
    expect(canTransition("spam", "open")).toBe(true);
    expect(canTransition("resolved", "snoozed")).toBe(false);
    expect(canTransition("spam", "resolved")).toBe(false);
  });
});
