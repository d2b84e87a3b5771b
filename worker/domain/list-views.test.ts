import { describe, expect, it } from "vitest";
import type { Summary } from "../contract";
import { inView } from "./list-views";

const summary = (over: Partial<Summary> = {}): Summary => ({
  id: "cv_1",
  subject: null,
  status: "open",
  priority: "none",
  inboxId: "in_1",
  channel: "chat",
  contact: { id: "ct_1", name: "Cleo", email: null, emailVerified: false },
  assignee: null,
  teamId: null,
  tags: [],
  preview: "",
  lastActivityAt: "2026-11-20T12:00:00.000Z",
  createdAt: "2026-11-20T12:00:00.000Z",
  snoozedUntil: null,
  sla: null,
  ...over,
});
const me = { id: "ada" };
const ada = { id: "ada", name: "Ada" };
const bea = { id: "bea", name: "Bea" };

describe("list-view membership", () => {
  it("lists open conversations in All, by assignee in Mine and Unassigned", () => {
    expect(inView(summary(), { view: "all" }, me)).toBe(true);
    expect(inView(summary({ assignee: ada }), { view: "mine" }, me)).toBe(true);
    expect(inView(summary({ assignee: bea }), { view: "mine" }, me)).toBe(false);
    expect(inView(summary(), { view: "unassigned" }, me)).toBe(true);
    expect(inView(summary({ assignee: bea }), { view: "unassigned" }, me)).toBe(false);
  });

  it("keeps snoozed, resolved and spam out of the open views and in their own", () => {
    for (const status of ["snoozed", "resolved", "spam"] as const) {
      const c = summary({ status, assignee: ada });
      for (const view of ["all", "mine", "unassigned"] as const) expect(inView(c, { view }, me)).toBe(false);
      expect(inView(c, { view: status }, me)).toBe(true);
      expect(inView(summary(), { view: status }, me)).toBe(false);
    }
  });

  it("lists every status in Mentioned and Following, from the viewer's own records", () => {
    const c = summary({ status: "resolved" });
    expect(inView(c, { view: "following" }, { ...me, following: new Set(["cv_1"]) })).toBe(true);
    expect(inView(c, { view: "following" }, { ...me, following: new Set() })).toBe(false);
    expect(inView(c, { view: "mentioned" }, { ...me, mentionedIn: new Set(["cv_1"]) })).toBe(true);
  });

  it("cannot tell Mentioned or Following from a summary alone", () => {
    expect(inView(summary(), { view: "following" }, me)).toBe(null);
    expect(inView(summary(), { view: "mentioned" }, me)).toBe(null);
    // …unless a filter already rules it out.
    expect(inView(summary(), { view: "mentioned", inboxId: "in_2" }, me)).toBe(false);
  });

  it("applies the inbox, team, priority, assignee and tag filters", () => {
    const c = summary({ teamId: "tm_1", priority: "high", assignee: bea, tags: ["Billing"] });
    expect(inView(c, { view: "all", inboxId: "in_1", teamId: "tm_1", priority: "high" }, me)).toBe(true);
    expect(inView(c, { view: "all", inboxId: "in_2" }, me)).toBe(false);
    expect(inView(c, { view: "all", teamId: "tm_2" }, me)).toBe(false);
    expect(inView(c, { view: "all", priority: "low" }, me)).toBe(false);
    expect(inView(c, { view: "all", assigneeId: "bea" }, me)).toBe(true);
    expect(inView(c, { view: "all", assigneeId: "ada" }, me)).toBe(false);
    expect(inView(c, { view: "all", tag: "billing" }, me)).toBe(true);
    expect(inView(c, { view: "all", tag: "refunds" }, me)).toBe(false);
  });

  it("lets Mine ignore the assignee filter: it already names the assignee", () => {
    expect(inView(summary({ assignee: ada }), { view: "mine", assigneeId: "bea" }, me)).toBe(true);
  });
});
