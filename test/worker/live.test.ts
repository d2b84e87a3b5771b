import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { conversationRoomStub } from "../../worker/rooms/conversation-room";
import { type InboxHub, PRESENCE_TTL_MS } from "../../worker/rooms/inbox-hub";
import { getInboxHub } from "../../worker/rooms/list-hub";
import {
  addUser,
  createInbox,
  customerWritesIn,
  expectStatus,
  grant,
  json,
  ORIGIN,
  postMessage,
  type Person,
  twoAgentsAndACustomer,
} from "./helpers";
import { connect, openRoom, openWidget, settle } from "./sockets";

/** Condition waits return as soon as they hold; the limit only has to suit a loaded machine. */
const WAIT = { timeout: 15_000, interval: 20 };

const names = (viewers: { name: string; state: string }[]) => viewers.map((v) => `${v.name}:${v.state}`);

describe("conversation room sockets", () => {
  it("shows who is viewing and typing, streams drafts to agents only, and clears the draft on send", async () => {
    const { ana, ben, conversationId, contactToken } = await twoAgentsAndACustomer();
    const anaRoom = await openRoom(conversationId, ana.as);
    const benRoom = await openRoom(conversationId, ben.as);
    const customer = await openWidget(conversationId, contactToken);

    expect(names((await anaRoom.next("presence")).viewers)).toEqual(["Ana Agent:viewing", "Ben Agent:viewing"]);

    anaRoom.send({ type: "presence", state: "typing" });
    anaRoom.send({ type: "draft", body: "Hi Cara, we" });
    expect(names((await benRoom.next("presence")).viewers)).toEqual(["Ana Agent:typing", "Ben Agent:viewing"]);
    expect(await benRoom.next("draft")).toEqual({ type: "draft", userId: ana.id, body: "Hi Cara, we" });
    expect(await customer.next("typing")).toEqual({ type: "typing", active: true });

    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "Hi Cara, we fixed it" }), 201);
    const item = (await benRoom.next("item")).item;
    expect(item).toMatchObject({ seq: 2, kind: "reply", body: "Hi Cara, we fixed it", author: { id: ana.id } });
    expect(await benRoom.next("draft")).toEqual({ type: "draft", userId: ana.id, body: "" });
    expect((await customer.next("item")).item).toEqual({
      seq: 2,
      kind: "reply",
      body: "Hi Cara, we fixed it",
      author: { name: "Ana Agent" },
      createdAt: item.createdAt,
    });

    await expectStatus(postMessage(ben.as, conversationId, { kind: "note", body: "secret note" }), 201);
    // The author's own sockets get the item too: their other tabs stay in step.
    expect([(await anaRoom.next("item")).item.body, (await anaRoom.next("item")).item.body]).toEqual([
      "Hi Cara, we fixed it",
      "secret note",
    ]);
    // A later reply reaches the customer only after everything before it was sent (or held back).
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "One more thing" }), 201);
    expect((await customer.next("item")).item.body).toBe("One more thing");
    // The customer never receives drafts, presence, notes or events (their conversation's state, yes).
    const allowed = ["welcome", "state", "item", "typing"];
    expect(customer.frames.map((f) => f.type).filter((t) => !allowed.includes(t))).toEqual([]);
    expect(customer.frames.filter((f) => f.type === "item").map((f) => f.item.kind)).toEqual(["reply", "reply"]);
    expect(JSON.stringify(customer.frames)).not.toContain('Hi Cara, we"');
  });

  it("welcomes a late viewer with the current viewers and drafts", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const anaRoom = await openRoom(conversationId, ana.as);
    anaRoom.send({ type: "presence", state: "typing" });
    anaRoom.send({ type: "draft", body: "Working on it" });
    // Another tab of Ana's is welcomed with her draft once the room has it.
    await vi.waitFor(async () => {
      const tab = await openRoom(conversationId, ana.as);
      tab.close();
      expect(tab.frames.find((f) => f.type === "welcome")?.drafts.map((d) => d.body)).toEqual(["Working on it"]);
    }, WAIT);
    const benRoom = await connect(`/api/conversations/${conversationId}/live`, ben.as);
    benRoom.send({ type: "hello", lastSeq: 1 });
    const welcome = await benRoom.next("welcome");
    expect(welcome.lastSeq).toBe(1);
    expect(names(welcome.viewers)).toEqual(["Ana Agent:typing", "Ben Agent:viewing"]);
    expect(welcome.drafts).toEqual([{ userId: ana.id, name: "Ana Agent", body: "Working on it" }]);
  });

  it("catches a reconnecting client up on exactly what it missed", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const first = await openRoom(conversationId, ben.as);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "two" }), 201);
    expect((await first.next("item")).item.seq).toBe(2);
    first.close();
    // While Ben is away: two more items.
    await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "three" }), 201);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "four" }), 201);
    const again = await connect(`/api/conversations/${conversationId}/live`, ben.as);
    again.send({ type: "hello", lastSeq: 2 });
    expect((await again.next("welcome")).lastSeq).toBe(4);
    expect([(await again.next("item")).item.seq, (await again.next("item")).item.seq]).toEqual([3, 4]);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "five" }), 201);
    expect((await again.next("item")).item.seq).toBe(5);
    // Nothing doubled: the next item after five is six.
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "six" }), 201);
    expect((await again.next("item")).item.seq).toBe(6);
  });

  it("keeps sockets and ordering through an eviction: nothing lost or doubled", async () => {
    const { ana, ben, conversationId, contactToken } = await twoAgentsAndACustomer();
    const benRoom = await openRoom(conversationId, ben.as);
    const customer = await openWidget(conversationId, contactToken);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "before" }), 201);
    await evictDurableObject(conversationRoomStub(env, conversationId));
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "after" }), 201);
    await expectStatus(
      exports.default.fetch(
        new Request(`${ORIGIN}/api/widget/conversations/${conversationId}/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${contactToken}`, "content-type": "application/json" },
          body: JSON.stringify({ body: "customer after" }),
        }),
      ),
      201,
    );
    const seen = [await benRoom.next("item"), await benRoom.next("item"), await benRoom.next("item")].map(
      (f) => f.item.body,
    );
    expect(seen).toEqual(["before", "after", "customer after"]);
    const customerSeen = [await customer.next("item"), await customer.next("item"), await customer.next("item")].map(
      (f) => f.item.seq,
    );
    expect(customerSeen).toEqual([2, 3, 4]);
    // Nothing doubled: the next item Ben sees is the next one written.
    await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "last" }), 201);
    expect((await benRoom.next("item")).item).toMatchObject({ seq: 5, body: "last" });
  });

  it("clears presence at once when a socket closes", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const anaRoom = await openRoom(conversationId, ana.as);
    const benRoom = await openRoom(conversationId, ben.as);
    anaRoom.send({ type: "draft", body: "half a thought" });
    await benRoom.next("draft");
    await anaRoom.next("presence");
    const started = Date.now();
    benRoom.close();
    expect(names((await anaRoom.next("presence", 1000)).viewers)).toEqual(["Ana Agent:viewing"]);
    expect(Date.now() - started).toBeLessThan(1000);
    anaRoom.close();
  });

  it("sweeps a client that vanished without closing, and drops its draft", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const anaRoom = await openRoom(conversationId, ana.as);
    const benRoom = await openRoom(conversationId, ben.as, 1, { silent: true });
    benRoom.send({ type: "draft", body: "gone soon" });
    await anaRoom.next("draft");
    await anaRoom.next("presence");
    // Ana's socket keeps pinging; Ben stays silent past the (test-shortened, 1 s) heartbeat timeout.
    await settle(1_200);
    await runDurableObjectAlarm(conversationRoomStub(env, conversationId));
    expect(await anaRoom.next("draft")).toEqual({ type: "draft", userId: ben.id, body: "" });
    expect(names((await anaRoom.next("presence")).viewers)).toEqual(["Ana Agent:viewing"]);
  });

  it("refuses sockets to those who may not see the conversation", async () => {
    const { admin, conversationId, contactToken } = await twoAgentsAndACustomer();
    const outsider = await addUser(admin, "agent", "Olly Outsider");
    const denied = await exports.default.fetch(
      new Request(`${ORIGIN}/api/conversations/${conversationId}/live`, {
        headers: { Upgrade: "websocket", cookie: outsider.as.cookie },
      }),
    );
    expect(denied.status).toBe(404);
    const anonymous = await exports.default.fetch(
      new Request(`${ORIGIN}/api/conversations/${conversationId}/live`, { headers: { Upgrade: "websocket" } }),
    );
    expect(anonymous.status).toBe(401);
    const other = await customerWritesIn((await createInbox(admin, "Other")).widgetKey, "another customer");
    const wrongToken = await exports.default.fetch(
      new Request(`${ORIGIN}/api/widget/conversations/${conversationId}/live?token=${other.contactToken}`, {
        headers: { Upgrade: "websocket" },
      }),
    );
    expect(wrongToken.status).toBe(404);
    expect(contactToken).not.toBe(other.contactToken);
  });

  it("lets view-only agents watch but not type", async () => {
    const { admin, inbox, ana, conversationId } = await twoAgentsAndACustomer();
    const viewer: Person = await addUser(admin, "agent", "Vic Viewer");
    await grant(admin, inbox.id, viewer, "view");
    const anaRoom = await openRoom(conversationId, ana.as);
    const vicRoom = await openRoom(conversationId, viewer.as);
    expect(names((await anaRoom.next("presence")).viewers)).toEqual(["Ana Agent:viewing", "Vic Viewer:viewing"]);
    vicRoom.send({ type: "presence", state: "typing" });
    vicRoom.send({ type: "draft", body: "should not travel" });
    // The room handles Vic's frames in order: when Vic leaves, the typing and draft were already refused.
    vicRoom.close();
    expect(names((await anaRoom.next("presence")).viewers)).toEqual(["Ana Agent:viewing"]);
    expect(anaRoom.pending("draft")).toEqual([]);
  });
});

describe("list stream", () => {
  it("pushes summaries and presence markers to agents who can see the inbox, and only to them", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const outsider = await addUser(admin, "agent", "Olly Outsider");
    const anaList = await connect("/api/live", ana.as);
    const ollyList = await connect("/api/live", outsider.as);
    const benRoom = await openRoom(conversationId, ben.as);
    const marker = await anaList.next("presence");
    expect(marker).toMatchObject({ conversationId, viewers: [{ userId: ben.id, state: "viewing" }] });

    await expectStatus(postMessage(ben.as, conversationId, { kind: "reply", body: "On it" }), 201);
    const update = await anaList.next("conversation");
    expect(update.conversation).toMatchObject({ id: conversationId, inboxId: inbox.id, preview: "On it" });

    benRoom.close();
    expect((await anaList.next("presence")).viewers).toEqual([]);
    // The hub sent Ana's frames and any of Olly's in one pass; Olly's pong comes after whatever it sent him.
    ollyList.send('{"type":"ping"}');
    await ollyList.next("pong");
    expect(ollyList.frames.map((f) => f.type)).toEqual(["pong"]);
  });
});

describe("list stream access", () => {
  it("follows access changes at once: a revoked agent stops receiving, a granted one starts", async () => {
    const { admin, inbox, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const benList = await connect("/api/live", ben.as);
    const adminList = await connect("/api/live", admin.as);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "first" }), 201);
    expect((await benList.next("conversation")).conversation.id).toBe(conversationId);

    await expectStatus(
      exports.default.fetch(
        new Request(`${ORIGIN}/api/inboxes/${inbox.id}/access/${ben.id}`, {
          method: "DELETE",
          headers: { cookie: admin.as.cookie, origin: ORIGIN },
        }),
      ),
      204,
    );
    // Once the admin's list has the second note, the hub has made its one pass; Ben's pong follows it.
    const second = await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "second" }), 201);
    while ((await adminList.next("conversation")).conversation.lastActivityAt !== second.createdAt);
    benList.send('{"type":"ping"}');
    await benList.next("pong");
    expect(benList.pending("conversation")).toEqual([]);

    await grant(admin, inbox.id, ben, "view");
    const third = await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "third" }), 201);
    expect((await benList.next("conversation")).conversation).toMatchObject({
      id: conversationId,
      lastActivityAt: third.createdAt,
    });
  });
});

describe("hello races", () => {
  it("keeps a presence change sent right behind hello, before the welcome", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    const anaRoom = await openRoom(conversationId, ana.as);
    const benRoom = await connect(`/api/conversations/${conversationId}/live`, ben.as);
    benRoom.send({ type: "hello", lastSeq: 1 });
    benRoom.send({ type: "presence", state: "typing" });
    await benRoom.next("welcome");
    // Ana's presence frames end with Ben typing: the change behind hello was not lost.
    await vi.waitFor(
      () =>
        expect(names(anaRoom.frames.filter((f) => f.type === "presence").at(-1)?.viewers ?? [])).toEqual([
          "Ana Agent:viewing",
          "Ben Agent:typing",
        ]),
      WAIT,
    );
  });
});

describe("list presence never goes stale", () => {
  it("drops a marker whose room stopped refreshing it, and tells the list views", async () => {
    const { ana, ben, conversationId, admin, inbox } = await twoAgentsAndACustomer();
    const anaList = await connect("/api/live", ana.as);
    const benRoom = await openRoom(conversationId, ben.as);
    expect((await anaList.next("presence")).viewers).toHaveLength(1);
    const workspaceId = (await json(admin.as, "/api/me")).workspace.id;
    const hub = getInboxHub(env, workspaceId, inbox.id);
    // As if Ben's room vanished (a restart) without clearing it: age the marker past the TTL.
    await runInDurableObject(hub, async (_instance: InboxHub, state) => {
      const key = `presence:${conversationId}`;
      const entry = (await state.storage.get<{ at: number }>(key))!;
      await state.storage.put(key, { ...entry, at: Date.now() - PRESENCE_TTL_MS - 1 });
    });
    await evictDurableObject(hub, { webSockets: "hibernate" });
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    expect(await anaList.next("presence")).toEqual({ type: "presence", conversationId, viewers: [] });
    benRoom.close();
  });
});
