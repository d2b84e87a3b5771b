import { describe, expect, it } from "vitest";
import { keepsAssigneeAfterMove, mayMoveInto, updateAction } from "./moves";

describe("conversation changes", () => {
  it("need move access for a move, status access for a status change, else assignment access", () => {
    expect(updateAction({ inboxId: "in_2", status: "resolved" })).toBe("move");
    expect(updateAction({ status: "resolved" })).toBe("set_status");
    expect(updateAction({})).toBe("assign");
  });
});

describe("moving to another inbox", () => {
  it("needs reply access to the target", () => {
    expect(mayMoveInto("reply")).toBe("allow");
    expect(mayMoveInto("note")).toBe("forbidden");
    expect(mayMoveInto("view")).toBe("forbidden");
  });

  it("treats a target the actor cannot see as no inbox at all", () => {
    expect(mayMoveInto(null)).toBe("no_such_inbox");
  });

  it("lets the assignee keep the conversation only if they may reply in the new inbox", () => {
    expect(keepsAssigneeAfterMove({ role: "agent", grant: "reply" })).toBe(true);
    expect(keepsAssigneeAfterMove({ role: "admin", grant: null })).toBe(true);
    expect(keepsAssigneeAfterMove({ role: "agent", grant: "note" })).toBe(false);
    expect(keepsAssigneeAfterMove({ role: "agent", grant: null })).toBe(false);
    expect(keepsAssigneeAfterMove(undefined)).toBe(false);
  });
});
