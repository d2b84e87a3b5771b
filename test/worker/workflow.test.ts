/** Issue 4's team workflow in the room: mentions, followers, notifications, tags, teams, priority. */
import { describe, expect, it } from "vitest";
import {
  addUser,
  call,
  createInbox,
  customerWritesIn,
  expectStatus,
  grant,
  json,
  postMessage,
  setUpWorkspace,
  type Person,
} from "./helpers";
import { connect, openRoom } from "./sockets";

async function workspace() {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin);
  const people: Record<string, Person> = {};
  for (const [name, level] of [
    ["Ana Reply", "reply"],
    ["Ben Reply", "reply"],
    ["Lou Note", "note"],
    ["Vic View", "view"],
    ["Ola Outsider", null],
  ] as const) {
    people[name.split(" ")[0]!] = await addUser(admin, "agent", name);
    if (level) await grant(admin, inbox.id, people[name.split(" ")[0]!]!, level);
  }
  const { conversationId, contactToken } = await customerWritesIn(inbox.widgetKey);
  return {
    admin,
    inbox,
    conversationId,
    contactToken,
    ...(people as Record<"Ana" | "Ben" | "Lou" | "Vic" | "Ola", Person>),
  };
}

const notificationsOf = (who: Person) => json(who.as, "/api/notifications");
const conversation = (who: Person, id: string) => json(who.as, `/api/conversations/${id}`);
const listIds = async (who: Person, query: string) =>
  (await json(who.as, `/api/conversations?${query}`)).items.map((c: { id: string }) => c.id);

describe("mentions", () => {
  it("notifies the mentioned agent, lists it under Mentioned, and makes them follow when the author may reply", async () => {
    const { Ana, Ben, conversationId } = await workspace();
    const benList = await connect("/api/live", Ben.as);
    await expectStatus(
      postMessage(Ana.as, conversationId, { kind: "note", body: "@Ben Reply can you check?", mentions: [Ben.id] }),
      201,
    );

    const pushed = await benList.next("notification");
    expect(pushed.notification).toMatchObject({
      kind: "mention",
      conversationId,
      actor: { id: Ana.id, name: "Ana Reply" },
      preview: "@Ben Reply can you check?",
      readAt: null,
    });
    const { items, unreadCount } = await notificationsOf(Ben);
    expect(unreadCount).toBe(1);
    expect(items[0]!.id).toBe(pushed.notification.id);
    expect(await listIds(Ben, "view=mentioned")).toEqual([conversationId]);
    expect((await conversation(Ben, conversationId)).followers).toEqual([{ id: Ben.id, name: "Ben Reply" }]);
  });

  it("lets a light user's mention notify without adding a follower", async () => {
    const { Lou, Ana, conversationId } = await workspace();
    await expectStatus(
      postMessage(Lou.as, conversationId, { kind: "note", body: "@Ana Reply FYI", mentions: [Ana.id] }),
      201,
    );
    expect((await notificationsOf(Ana)).items.map((n: { kind: string }) => n.kind)).toEqual(["mention"]);
    expect((await conversation(Ana, conversationId)).followers).toEqual([]);
    expect(await listIds(Ana, "view=mentioned")).toEqual([conversationId]);
  });

  it("refuses to mention someone who cannot see the inbox, naming them, and writes nothing", async () => {
    const { Ana, Ola, conversationId } = await workspace();
    const refused = await expectStatus(
      postMessage(Ana.as, conversationId, { kind: "note", body: "@Ola", mentions: [Ola.id] }),
      400,
    );
    expect(refused.error.message).toContain("Ola Outsider");
    expect((await notificationsOf(Ola)).items).toEqual([]);
  });

  it("ignores mentions in public replies", async () => {
    const { Ana, Ben, conversationId } = await workspace();
    await expectStatus(
      postMessage(Ana.as, conversationId, { kind: "reply", body: "@Ben Reply", mentions: [Ben.id] }),
      201,
    );
    expect((await notificationsOf(Ben)).items).toEqual([]);
    expect(await listIds(Ben, "view=mentioned")).toEqual([]);
  });
});

describe("followers and notifications", () => {
  it("lets anyone follow themselves, only reply agents add others, and followers hear of what others do", async () => {
    const { Ana, Vic, Ben, conversationId, contactToken } = await workspace();
    await expectStatus(
      call(Vic.as, `/api/conversations/${conversationId}/followers`, { body: { userId: Vic.id } }),
      201,
    );
    const forbidden = await call(Vic.as, `/api/conversations/${conversationId}/followers`, {
      body: { userId: Ben.id },
    });
    expect(forbidden.status).toBe(403);
    await expectStatus(
      call(Ana.as, `/api/conversations/${conversationId}/followers`, { body: { userId: Ben.id } }),
      201,
    );
    expect((await conversation(Ana, conversationId)).followers.map((f: { name: string }) => f.name).sort()).toEqual([
      "Ben Reply",
      "Vic View",
    ]);
    expect(await listIds(Vic, "view=following")).toEqual([conversationId]);

    // A customer message notifies every follower.
    await expectStatus(
      call({ bearer: contactToken }, `/api/widget/conversations/${conversationId}/messages`, {
        body: { body: "Any news?" },
      }),
      201,
    );
    // Ben's own reply notifies Vic but not Ben.
    await expectStatus(postMessage(Ben.as, conversationId, { kind: "reply", body: "Yes, shipped today" }), 201);
    const vic = await notificationsOf(Vic);
    const ben = await notificationsOf(Ben);
    expect(vic.items.map((n: { preview: string }) => n.preview)).toEqual([
      "Yes, shipped today",
      "Any news?",
      "Ana Reply added Ben Reply as a follower",
    ]);
    expect(ben.items.map((n: { preview: string }) => n.preview)).toEqual([
      "Any news?",
      "Ana Reply added Ben Reply as a follower",
    ]);

    // Unfollow yourself.
    await expectStatus(
      call(Vic.as, `/api/conversations/${conversationId}/followers/${Vic.id}`, { method: "DELETE" }),
      204,
    );
    expect(await listIds(Vic, "view=following")).toEqual([]);
  });

  it("notifies the assignee once, with the assignment, and marks read one or all", async () => {
    const { Ana, Ben, conversationId } = await workspace();
    await json(Ana.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { assigneeId: Ben.id } });
    const { items, unreadCount } = await notificationsOf(Ben);
    expect(unreadCount).toBe(1);
    expect(items[0]).toMatchObject({ kind: "assigned", preview: "Ana Reply assigned this to Ben Reply" });
    await postMessage(Ana.as, conversationId, { kind: "note", body: "one" });
    await postMessage(Ana.as, conversationId, { kind: "note", body: "two" });
    expect((await notificationsOf(Ben)).unreadCount).toBe(3);
    expect(await json(Ben.as, "/api/notifications/read", { body: { ids: [items[0]!.id] } })).toEqual({
      unreadCount: 2,
    });
    expect(
      (await json(Ben.as, "/api/notifications?unread=true")).items.map((n: { preview: string }) => n.preview),
    ).toEqual(["two", "one"]);
    expect(await json(Ben.as, "/api/notifications/read", { body: { all: true } })).toEqual({ unreadCount: 0 });
    // Someone else's notifications are untouched by my "all".
    expect((await notificationsOf(Ana)).unreadCount).toBe(0);
  });
});

describe("tags, priority and teams", () => {
  it("creates tags on first use, records each change as an event, and filters the list", async () => {
    const { Ana, Vic, conversationId, admin } = await workspace();
    const after = await json(Ana.as, `/api/conversations/${conversationId}/tags`, {
      method: "PUT",
      body: { tags: ["Billing", "vip"] },
    });
    expect(after.tags.sort()).toEqual(["Billing", "vip"]);
    await json(Ana.as, `/api/conversations/${conversationId}/tags`, { method: "PUT", body: { tags: ["billing"] } });
    const tags = await json(admin.as, "/api/tags");
    expect(tags.items.map((t: { name: string }) => t.name)).toEqual(["Billing", "vip"]);
    expect(tags.items[0]!.color).toMatch(/^#[0-9a-f]{6}$/);
    const { items } = await json(Ana.as, `/api/conversations/${conversationId}/timeline`);
    expect(items.filter((i: { kind: string }) => i.kind === "event").map((i) => i.event)).toEqual([
      { type: "tag_added", tag: "Billing" },
      { type: "tag_added", tag: "vip" },
      { type: "tag_removed", tag: "vip" },
    ]);
    expect(await listIds(Ana, "tag=billing")).toEqual([conversationId]);
    expect(await listIds(Ana, "tag=vip")).toEqual([]);
    const refused = await call(Vic.as, `/api/conversations/${conversationId}/tags`, {
      method: "PUT",
      body: { tags: ["x"] },
    });
    expect(refused.status).toBe(403);
  });

  it("sets priority and team, filters by them, and clears the team when it is deleted", async () => {
    const { Ana, Ben, conversationId, admin } = await workspace();
    const team = await json(admin.as, "/api/teams", { body: { name: "Billing", memberIds: [Ana.id, Ben.id] } }, 201);
    expect(team.members.map((m: { name: string }) => m.name)).toEqual(["Ana Reply", "Ben Reply"]);
    const updated = await json(Ana.as, `/api/conversations/${conversationId}`, {
      method: "PATCH",
      body: { priority: "urgent", teamId: team.id },
    });
    expect(updated).toMatchObject({ priority: "urgent", teamId: team.id });
    expect(await listIds(Ana, "priority=urgent")).toEqual([conversationId]);
    expect(await listIds(Ana, `teamId=${team.id}`)).toEqual([conversationId]);
    expect(await listIds(Ana, "priority=low")).toEqual([]);
    await expectStatus(call(admin.as, `/api/teams/${team.id}`, { method: "DELETE" }), 204);
    expect((await conversation(Ana, conversationId)).teamId).toBeNull();
    // The room re-reads before the next field change, so the cleared team is not "removed" twice.
    await json(Ana.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { teamId: null } });
    const events = (await json(Ana.as, `/api/conversations/${conversationId}/timeline`)).items.filter(
      (i: { kind: string }) => i.kind === "event",
    );
    expect(events.map((e) => e.event?.type)).toEqual(["team_assigned", "priority_changed"]);
  });
});

describe("moving a conversation between inboxes", () => {
  it("needs reply on both inboxes; access, list rows and open sockets follow the inbox", async () => {
    const { admin, inbox, Ana, Ben, Vic, conversationId } = await workspace();
    const billing = await createInbox(admin, "Billing");
    await grant(admin, billing.id, Ana, "reply");
    await grant(admin, billing.id, Vic, "reply");
    await json(Ana.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { assigneeId: Ben.id } });

    // Vic can reply in Billing but only view Support: refused. Ben cannot see Billing at all: a 400 naming the inbox.
    expect(
      (await call(Vic.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { inboxId: billing.id } }))
        .status,
    ).toBe(403);
    expect(
      (await call(Ben.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { inboxId: billing.id } }))
        .status,
    ).toBe(400);

    const benRoom = await connect(`/api/conversations/${conversationId}/live`, Ben.as);
    benRoom.send({ type: "hello", lastSeq: 1 });
    await benRoom.next("welcome");
    const benList = await connect("/api/live", Ben.as);
    const closed = new Promise<number>((resolve) => benRoom.ws.addEventListener("close", (e) => resolve(e.code)));

    const moved = await json(Ana.as, `/api/conversations/${conversationId}`, {
      method: "PATCH",
      body: { inboxId: billing.id },
    });
    // Ben cannot reply in Billing, so he no longer owns it.
    expect(moved).toMatchObject({ inboxId: billing.id, assignee: null });
    expect(await closed).toBe(4404);
    expect(await benList.next("conversation_removed")).toEqual({ type: "conversation_removed", conversationId });
    expect((await call(Ben.as, `/api/conversations/${conversationId}`)).status).toBe(404);
    expect(await listIds(Vic, `inboxId=${billing.id}`)).toEqual([conversationId]);
    const events = (await json(Ana.as, `/api/conversations/${conversationId}/timeline`)).items.filter(
      (i: { kind: string }) => i.kind === "event",
    );
    expect(events.map((e) => e.event?.type)).toEqual(["assigned", "assigned", "moved"]);
    expect(events[2]!.event).toEqual({
      type: "moved",
      from: { id: inbox.id, name: "Support" },
      to: { id: billing.id, name: "Billing" },
    });
  });
});

describe("mention followers, live", () => {
  it("pushes the conversation with its new follower to open pages when a mention adds one", async () => {
    const { Ana, Ben, conversationId } = await workspace();
    const benRoom = await openRoom(conversationId, Ben.as);
    await expectStatus(
      postMessage(Ana.as, conversationId, { kind: "note", body: "@Ben Reply look", mentions: [Ben.id] }),
      201,
    );
    const frame = await benRoom.next("conversation");
    expect(frame.conversation.followers).toEqual([{ id: Ben.id, name: "Ben Reply" }]);
  });
});
