import { describe, expect, it } from "vitest";
import type { Author } from "../contract";
import {
  customerState,
  replyCollides,
  planFollower,
  planLink,
  planPost,
  planRating,
  planRules,
  planSweep,
  planTags,
  planUpdate,
  RULES,
  SYSTEM,
} from "./room-events";
import type { RoomState } from "./room-writes";
import { newTracked } from "../domain/sla";

const ada: Author = { type: "user", id: "us_ada", name: "Ada" };
const bea = { id: "us_bea", name: "Bea" };
const cy = { id: "us_cy", name: "Cy" };
const customer: Author = { type: "contact", id: "ct_1", name: "Cara" };

function state(over: Partial<RoomState> = {}): RoomState {
  return {
    ...{ id: "cv_1", workspaceId: "ws_1", inboxId: "ib_1", contactId: "ct_1", subject: null },
    ...{ status: "open", priority: "none" },
    ...{ assigneeId: null, teamId: null, snoozedUntil: null, lastSeq: 4, lastActivityAt: 1_000, lastPublicSeq: 3 },
    ...{ followers: new Set<string>(), tags: new Map<string, string>(), resolution: null, mergedInto: null },
    ...{ tracked: newTracked(1_000), metricsRecorded: true },
    ...over,
  };
}

const events = (change: { items: { event?: unknown }[] }) => change.items.map((i) => i.event);

describe("the reply-collision guard", () => {
  it("refuses a reply behind a newer customer message or reply, unless forced", () => {
    expect(replyCollides(state(), { kind: "reply", body: "x", author: ada, lastSeenSeq: 2 })).toBe(true);
    expect(replyCollides(state(), { kind: "reply", body: "x", author: ada, lastSeenSeq: 2, force: true })).toBe(false);
    expect(replyCollides(state(), { kind: "reply", body: "x", author: ada, lastSeenSeq: 3 })).toBe(false);
  });

  it("never holds back notes, customers, or a reply that says nothing of what it saw", () => {
    expect(replyCollides(state(), { kind: "note", body: "x", author: ada, lastSeenSeq: 0 })).toBe(false);
    expect(replyCollides(state(), { kind: "customer", body: "x", author: customer, lastSeenSeq: 0 })).toBe(false);
    expect(replyCollides(state(), { kind: "reply", body: "x", author: ada })).toBe(false);
  });
});

describe("posting", () => {
  it("a customer message reopens a resolved conversation, with the cause in the event", () => {
    const change = planPost(state({ status: "resolved" }), { kind: "customer", body: "Hi again", author: customer });
    expect(change.items.map((i) => i.kind)).toEqual(["customer", "event"]);
    expect(change.items[1]).toMatchObject({
      author: SYSTEM,
      event: { type: "status_changed", from: "resolved", to: "open", cause: "customer" },
    });
    expect(change.actorId).toBeNull();
  });

  it("mentions count in notes only, and add followers only when asked (the author may reply)", () => {
    const mentions = [bea, cy];
    const inReply = planPost(state(), { kind: "reply", body: "@Bea", author: ada, mentions, mentionsFollow: true });
    expect(inReply.mentioned).toEqual([]);
    expect(inReply.followersAdded).toEqual([]);

    const noteOnly = planPost(state(), { kind: "note", body: "@Bea @Cy", author: ada, mentions });
    expect(noteOnly.mentioned).toEqual(["us_bea", "us_cy"]);
    expect(noteOnly.followersAdded).toEqual([]);

    const following = planPost(state({ followers: new Set(["us_cy"]) }), {
      ...{ kind: "note", body: "@Bea @Cy", author: ada, mentions, mentionsFollow: true },
    });
    expect(following.followersAdded).toEqual(["us_bea"]);
    expect(events(following)).toEqual([undefined, { type: "follower_added", user: bea, via: "mention" }]);
  });
});

describe("field changes", () => {
  it("records one event per field that really changes", () => {
    const change = planUpdate(
      state({ assigneeId: "us_bea", priority: "low" }),
      { assignee: bea, priority: "high", team: { id: "tm_1", name: "Billing" }, status: "resolved" },
      ada,
    );
    if (typeof change === "string") throw new Error(change);
    expect(events(change)).toEqual([
      { type: "status_changed", from: "open", to: "resolved" },
      { type: "team_assigned", team: { id: "tm_1", name: "Billing" } },
      { type: "priority_changed", from: "low", to: "high" },
    ]);
    expect(change.patch).toEqual({ status: "resolved", teamId: "tm_1", priority: "high" });
  });

  it("refuses a status the machine does not allow, in words", () => {
    expect(planUpdate(state({ status: "spam" }), { status: "snoozed", snoozedUntil: 5_000 }, ada)).toBe(
      "A spam conversation cannot become snoozed",
    );
  });

  it("snoozing again with a new time is a change; the same time is not", () => {
    const snoozed = state({ status: "snoozed", snoozedUntil: 5_000 });
    const again = planUpdate(snoozed, { status: "snoozed", snoozedUntil: 9_000 }, ada);
    expect(typeof again !== "string" && again.items).toHaveLength(1);
    const same = planUpdate(snoozed, { status: "snoozed", snoozedUntil: 5_000 }, ada);
    expect(typeof same !== "string" && same.items).toHaveLength(0);
  });

  it("a move names both inboxes", () => {
    const move = { from: { id: "ib_1", name: "Support" }, to: { id: "ib_2", name: "Billing" } };
    const change = planUpdate(state(), { inbox: move }, ada);
    expect(typeof change !== "string" && events(change)).toEqual([{ type: "moved", ...move }]);
  });

  it("tags: one event per tag added or removed, nothing for those kept", () => {
    const tagged = state({
      tags: new Map([
        ["tg_1", "billing"],
        ["tg_2", "vip"],
      ]),
    });
    const change = planTags(
      tagged,
      [
        { id: "tg_2", name: "vip" },
        { id: "tg_3", name: "refund" },
      ],
      ada,
    );
    expect(events(change)).toEqual([
      { type: "tag_added", tag: "refund" },
      { type: "tag_removed", tag: "billing" },
    ]);
  });

  it("a bulk change adds and removes tags against the room's own, with its fields, in one change", () => {
    const tagged = state({
      tags: new Map([
        ["tg_1", "billing"],
        ["tg_2", "vip"],
      ]),
    });
    const tags = {
      add: [
        { id: "tg_2", name: "vip" },
        { id: "tg_3", name: "refund" },
      ],
      remove: ["tg_1", "tg_9"],
    };
    const change = planUpdate(tagged, { status: "resolved", tags }, ada);
    if (typeof change === "string") throw new Error(change);
    expect(change.patch).toEqual({ status: "resolved" });
    expect(events(change).map((e) => (e as { type: string }).type)).toEqual([
      "status_changed",
      "tag_added",
      "tag_removed",
    ]);
    expect(change.tagsAdded).toEqual([{ id: "tg_3", name: "refund" }]);
    expect(change.tagsRemoved).toEqual([{ id: "tg_1", name: "billing" }]);
    // Again, on the state it left: nothing.
    const after = state({
      status: "resolved",
      tags: new Map([
        ["tg_2", "vip"],
        ["tg_3", "refund"],
      ]),
    });
    expect(planUpdate(after, { status: "resolved", tags }, ada)).toMatchObject({ items: [] });
  });

  it("refuses tags past the most one conversation holds", () => {
    const full = state({ tags: new Map(Array.from({ length: 20 }, (_, i) => [`tg_${i}`, `t${i}`])) });
    expect(planUpdate(full, { tags: { add: [{ id: "tg_new", name: "new" }], remove: [] } }, ada)).toBe(
      "A conversation holds at most 20 tags",
    );
    expect(planUpdate(full, { tags: { add: [{ id: "tg_new", name: "new" }], remove: ["tg_0"] } }, ada)).toMatchObject({
      tagsAdded: [{ id: "tg_new", name: "new" }],
    });
  });

  it("following twice changes nothing", () => {
    expect(planFollower(state({ followers: new Set(["us_bea"]) }), bea, true, ada).items).toEqual([]);
    expect(events(planFollower(state(), bea, true, ada))).toEqual([{ type: "follower_added", user: bea }]);
  });

  it("links: the owner stores the row, the other side only the event", () => {
    const conversation = { id: "cv_2", subject: "Refund" };
    const added = planLink({ add: { id: "lk_1", conversation } }, ada);
    expect(added.linkAdded).toEqual({ id: "lk_1", targetConversationId: "cv_2" });
    expect(events(added)).toEqual([{ type: "linked", conversation }]);
    const mirrored = planLink({ mirror: { type: "linked", conversation } }, ada);
    expect(mirrored.linkAdded).toBeUndefined();
    const removed = planLink({ remove: { id: "lk_1", ticket: { id: "tk_1", title: "Flow" } } }, ada);
    expect(removed.linkRemoved).toBe("lk_1");
    expect(events(removed)).toEqual([{ type: "unlinked", ticket: { id: "tk_1", title: "Flow" } }]);
  });
});

describe("what the system does", () => {
  it("rules record each decision by Auto-assignment, naming the rules", () => {
    const change = planRules({
      rules: ["VIP"],
      assignee: bea,
      priority: "urgent",
      tags: [{ id: "tg_1", name: "vip" }],
    });
    expect(change.items.every((i) => i.author === RULES)).toBe(true);
    expect(events(change)).toEqual([
      { type: "assigned", assignee: bea, rules: ["VIP"] },
      { type: "priority_changed", from: "none", to: "urgent", rules: ["VIP"] },
      { type: "tag_added", tag: "vip", rules: ["VIP"] },
    ]);
  });

  it("the sweep wakes only an expired snooze, and resolves only what is still idle", () => {
    const snoozed = state({ status: "snoozed", snoozedUntil: 5_000 });
    expect(planSweep(snoozed, "snooze_expired", 4_999)).toBeNull();
    expect(events(planSweep(snoozed, "snooze_expired", 5_000)!)).toEqual([
      { type: "status_changed", from: "snoozed", to: "open", cause: "snooze_expired" },
    ]);
    expect(planSweep(state({ lastActivityAt: 2_000 }), "idle", 9_000, 1_000)).toBeNull();
    expect(planSweep(state({ lastActivityAt: 1_000 }), "idle", 9_000, 1_000)?.patch).toEqual({ status: "resolved" });
  });
});

describe("the customer's rating", () => {
  const resolved = (rated: boolean) => state({ status: "resolved", resolution: { seq: 4, rated } });

  it("may be given once per resolution, while resolved", () => {
    expect(customerState(state())).toEqual({ resolved: false, canRate: false });
    expect(customerState(resolved(false))).toEqual({ resolved: true, canRate: true });
    expect(customerState(resolved(true))).toEqual({ resolved: true, canRate: false });
  });

  it("is one rated event by the customer, about the current resolution", () => {
    const change = planRating(resolved(false), { score: 4, comment: "" }, customer);
    expect(change).toMatchObject({
      items: [{ kind: "event", author: customer, event: { type: "rated", score: 4, comment: null } }],
      actorId: null,
      rating: { resolutionSeq: 4, contactId: "ct_1", score: 4, comment: null },
    });
  });

  it("is refused when not resolved or already rated", () => {
    expect(planRating(state(), { score: 5 }, customer)).toMatch(/resolved/);
    expect(planRating(resolved(true), { score: 5 }, customer)).toMatch(/already been rated/);
  });
});
