import { describe, expect, it } from "vitest";
import { recipients } from "./notify";

const base = {
  actorId: "ada",
  mentioned: [],
  newAssigneeId: null,
  assigneeId: null,
  followers: [] as string[],
  canOpen: () => true,
};

describe("who is notified", () => {
  it("tells followers and the assignee of changes they did not make", () => {
    const r = recipients({ ...base, assigneeId: "bea", followers: ["cy", "ada"] });
    expect([...r]).toEqual([
      ["bea", "update"],
      ["cy", "update"],
    ]);
  });

  it("gives a mention or an assignment precedence over a plain update, once per person", () => {
    const r = recipients({
      ...base,
      mentioned: ["cy"],
      newAssigneeId: "bea",
      assigneeId: "bea",
      followers: ["bea", "cy", "dan"],
    });
    expect(Object.fromEntries(r)).toEqual({ cy: "mention", bea: "assigned", dan: "update" });
  });

  it("never notifies the actor, even of their own mention or assignment", () => {
    const r = recipients({ ...base, mentioned: ["ada"], newAssigneeId: "ada", assigneeId: "ada", followers: ["ada"] });
    expect(r.size).toBe(0);
  });

  it("notifies everyone involved when a customer writes (no actor)", () => {
    const r = recipients({ ...base, actorId: null, assigneeId: "bea", followers: ["ada"] });
    expect(Object.fromEntries(r)).toEqual({ bea: "update", ada: "update" });
  });

  it("tells nobody who can no longer open the conversation, whatever their role in it", () => {
    const r = recipients({
      ...base,
      mentioned: ["cy"],
      newAssigneeId: "bea",
      assigneeId: "bea",
      followers: ["dan", "eve"],
      canOpen: (id) => id === "eve",
    });
    expect([...r]).toEqual([["eve", "update"]]);
  });
});
