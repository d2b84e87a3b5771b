/**
 * The sharded list fan-out (rooms/list-hub.ts): inbox hubs, list gateways and
 * the watch frame. The tests run with LIST_GATEWAYS = 3 (vitest.config.ts), so
 * a handful of users lands both in shared and in separate gateways.
 */
import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { ListFrame } from "../../worker/contract";
import type { InboxHub } from "../../worker/rooms/inbox-hub";
import { gatewayNamed, gatewayNameOf, getInboxHub } from "../../worker/rooms/list-hub";
import {
  addUser,
  call,
  createInbox,
  customerWritesIn,
  expectStatus,
  grant,
  json,
  note,
  type Person,
  setUpWorkspace,
  twoAgentsAndACustomer,
  updateConversation,
} from "./helpers";
import { connect, openRoom, type Socket } from "./sockets";

const WAIT = { timeout: 15_000, interval: 20 };

type List = Socket<ListFrame>;

/**
 * Everything the gateway was handed before this returns has been sent: an
 * unknown frame is answered in order with the socket's other messages.
 */
async function roundTrip(list: List): Promise<void> {
  list.send({ type: "roundtrip" });
  await list.next("error");
}

/** Waits for the socket's row of a conversation whose latest activity is `at` (whenever it came). */
async function rowAt(list: List, conversationId: string, at: string) {
  let row: Extract<ListFrame, { type: "conversation" }>["conversation"] | undefined;
  await vi.waitFor(() => {
    row = rowsOf(list, conversationId).find((f) => f.conversation.lastActivityAt === at)?.conversation;
    expect(row).toBeDefined();
  }, WAIT);
  return row!;
}

const rowsOf = (list: List, conversationId: string) =>
  list.frames.filter(
    (f): f is Extract<ListFrame, { type: "conversation" }> =>
      f.type === "conversation" && f.conversation.id === conversationId,
  );

async function subscribers(workspaceId: string, inboxId: string): Promise<string[]> {
  return runInDurableObject(getInboxHub(env, workspaceId, inboxId), async (_hub: InboxHub, state) =>
    [...(await state.storage.list({ prefix: "sub:" })).keys()].map((k) => k.slice(4)),
  );
}

describe("list fan-out across shards", () => {
  it("brings a change to exactly the lists that may show it, whichever gateway holds them", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const [sales, billing] = [await createInbox(admin, "Sales"), await createInbox(admin, "Billing")];
    const people: { person: Person; sees: string[] }[] = [{ person: admin, sees: ["sales", "billing"] }];
    // Until some gateway holds two of them and more than one gateway holds any: both paths are exercised.
    const gatewayOf = (p: Person) => gatewayNameOf(env, workspaceId, p.id);
    const spread = () => {
      const names = people.map(({ person }) => gatewayOf(person));
      return new Set(names).size > 1 && new Set(names).size < names.length;
    };
    const plans: string[][] = [["sales"], ["billing"], ["sales", "billing"], []];
    for (let i = 0; !spread() || i < plans.length; i++) {
      expect(i).toBeLessThan(20);
      const sees = plans[i % plans.length]!;
      const person = await addUser(admin, "agent", `Agent ${i}`);
      if (sees.includes("sales")) await grant(admin, sales.id, person, "reply");
      if (sees.includes("billing")) await grant(admin, billing.id, person, "view");
      people.push({ person, sees });
    }
    const lists = await Promise.all(people.map(({ person }) => connect("/api/live", person.as)));
    const { conversationId } = await customerWritesIn(sales.widgetKey);

    const posted = await expectStatus(note(admin.as, conversationId, "Looking"), 201);
    const receivers = people.flatMap((p, i) => (p.sees.includes("sales") ? [i] : []));
    for (const i of receivers) await rowAt(lists[i]!, conversationId, posted.createdAt);
    // A gateway handles a delivery in one pass: once every receiver has the row, a co-located
    // outsider's turn has come and gone; an outsider alone in its gateway is never delivered to.
    for (const [i, list] of lists.entries()) {
      if (receivers.includes(i)) continue;
      await roundTrip(list);
      expect(rowsOf(list, conversationId)).toEqual([]);
    }
    // Only gateways holding someone who sees Sales subscribed to its hub.
    const expected = new Set(receivers.map((i) => gatewayOf(people[i]!.person)));
    expect(new Set(await subscribers(workspaceId, sales.id))).toEqual(expected);
  });

  it("narrows a socket to its watched list and rows, and shows a row's presence the moment it is watched", async () => {
    const { inbox, ana, ben, conversationId: first } = await twoAgentsAndACustomer();
    const second = (await customerWritesIn(inbox.widgetKey, "two", { name: "Two", email: "two@example.com" }))
      .conversationId;
    // Two sockets of Ana's share her gateway: the one that watches nothing is the control.
    const watching = await connect("/api/live", ana.as);
    const everything = await connect("/api/live", ana.as);
    watching.send({ type: "watch", filter: { view: "resolved" }, ids: [first] });
    await roundTrip(watching);

    const onSecond = await expectStatus(note(ben.as, second, "not on Ana's screen"), 201);
    const onFirst = await expectStatus(note(ben.as, first, "on Ana's screen"), 201);
    await rowAt(everything, second, onSecond.createdAt);
    await rowAt(everything, first, onFirst.createdAt);
    await rowAt(watching, first, onFirst.createdAt);
    expect(rowsOf(watching, second)).toEqual([]);

    // Presence only for watched rows; a row that comes on screen shows its marker at once.
    const benRoom = await openRoom(second, ben.as);
    await vi.waitFor(
      () => expect(everything.frames.some((f) => f.type === "presence" && f.conversationId === second)).toBe(true),
      WAIT,
    );
    await roundTrip(watching);
    expect(watching.pending("presence")).toEqual([]);
    watching.send({ type: "watch", filter: { view: "resolved" }, ids: [first, second] });
    expect(await watching.next("presence")).toMatchObject({
      conversationId: second,
      viewers: [{ userId: ben.id, state: "viewing" }],
    });
    benRoom.close();
    expect(await watching.next("presence")).toEqual({ type: "presence", conversationId: second, viewers: [] });

    // Resolved, a third conversation belongs in the watched view: it arrives to be inserted.
    const third = (await customerWritesIn(inbox.widgetKey, "three", { name: "Tri", email: "tri@example.com" }))
      .conversationId;
    await json(ben.as, `/api/conversations/${third}`, { method: "PATCH", body: { status: "resolved" } });
    await vi.waitFor(
      () => expect(rowsOf(watching, third).at(-1)).toMatchObject({ conversation: { status: "resolved" } }),
      WAIT,
    );
    expect(rowsOf(watching, third).every((f) => f.conversation.status === "resolved")).toBe(true);
  });

  it("keeps watching a row it inserted, so the row's leaving the list reaches a client that has not re-sent its watch", async () => {
    const { admin, inbox, ana } = await twoAgentsAndACustomer();
    const list = await connect("/api/live", ana.as);
    list.send({ type: "watch", filter: { view: "all", inboxId: inbox.id }, ids: [] });
    await roundTrip(list);
    const { conversationId } = await customerWritesIn(inbox.widgetKey, "new", {
      name: "Nia",
      email: "nia@example.com",
    });
    await vi.waitFor(() => expect(rowsOf(list, conversationId)).not.toEqual([]), WAIT);
    await expectStatus(updateConversation(admin.as, conversationId, { status: "resolved" }), 200);
    await vi.waitFor(
      () => expect(rowsOf(list, conversationId).at(-1)).toMatchObject({ conversation: { status: "resolved" } }),
      WAIT,
    );
  });

  it("sends a row that comes into a watch the change it missed while the client's list read was under way", async () => {
    const { admin, inbox, ana, conversationId } = await twoAgentsAndACustomer();
    const list = await connect("/api/live", ana.as);
    const control = await connect("/api/live", ana.as);
    // The list is loading: its rows are not known yet.
    list.send({ type: "watch", filter: { view: "all", inboxId: inbox.id }, ids: [] });
    await roundTrip(list);
    await expectStatus(updateConversation(admin.as, conversationId, { status: "resolved" }), 200);
    // Ana's other socket shares the gateway: once it has the row, this one's filter has passed on it.
    await vi.waitFor(
      () => expect(rowsOf(control, conversationId).at(-1)).toMatchObject({ conversation: { status: "resolved" } }),
      WAIT,
    );
    await roundTrip(list);
    expect(rowsOf(list, conversationId)).toEqual([]);
    // The read answered with the row as it was; the client watches it now and learns it left the list.
    list.send({ type: "watch", filter: { view: "all", inboxId: inbox.id }, ids: [conversationId] });
    await vi.waitFor(
      () => expect(rowsOf(list, conversationId).at(-1)).toMatchObject({ conversation: { status: "resolved" } }),
      WAIT,
    );
  });

  it("keeps a socket's scope and watch through the gateway's hibernation", async () => {
    const { admin, ana, ben, conversationId } = await twoAgentsAndACustomer();
    const workspaceId = (await json(admin.as, "/api/me")).workspace.id;
    const list = await connect("/api/live", ana.as);
    const benRoom = await openRoom(conversationId, ben.as);
    await list.next("presence");
    await evictDurableObject(gatewayNamed(env, gatewayNameOf(env, workspaceId, ana.id)), { webSockets: "hibernate" });
    // Woken by the frame: it knows who it is and which markers show, and narrows the socket.
    list.send({ type: "watch", filter: null, ids: [conversationId] });
    expect(await list.next("presence")).toMatchObject({ conversationId, viewers: [{ userId: ben.id }] });
    const posted = await expectStatus(note(ben.as, conversationId, "after the nap"), 201);
    await rowAt(list, conversationId, posted.createdAt);
    benRoom.close();
  });

  it("refuses a malformed watch with an error frame and keeps the socket's last watch", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const list = await connect("/api/live", admin.as);
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    list.send({ type: "watch", filter: null, ids: [] });
    list.send({ type: "watch", filter: { view: "nowhere" }, ids: [conversationId] });
    list.send({ type: "watch", filter: null, ids: Array.from({ length: 501 }, (_, i) => `cv_${i}`) });
    expect(await list.next("error")).toMatchObject({ code: "validation_failed" });
    expect(await list.next("error")).toMatchObject({ code: "validation_failed" });
    await expectStatus(note(admin.as, conversationId, "unseen"), 201);
    // The admin's other list (no watch) gets it; this one, watching nothing, does not.
    const control = await connect("/api/live", admin.as);
    const again = await expectStatus(note(admin.as, conversationId, "still unseen"), 201);
    await rowAt(control, conversationId, again.createdAt);
    await roundTrip(list);
    expect(rowsOf(list, conversationId)).toEqual([]);
  });

  it("moves a socket's subscriptions with its access: granted, it hears the inbox live; revoked, the hub lets go", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const [sales, billing] = [await createInbox(admin, "Sales"), await createInbox(admin, "Billing")];
    const ben = await addUser(admin, "agent", "Ben Agent");
    await grant(admin, billing.id, ben, "reply");
    const { conversationId } = await customerWritesIn(sales.widgetKey);
    const list = await connect("/api/live", ben.as);
    const gateway = gatewayNameOf(env, workspaceId, ben.id);
    expect(await subscribers(workspaceId, billing.id)).toEqual([gateway]);
    expect(await subscribers(workspaceId, sales.id)).toEqual([]);

    await grant(admin, sales.id, ben, "view");
    expect(await subscribers(workspaceId, sales.id)).toEqual([gateway]);
    const seen = await expectStatus(note(admin.as, conversationId, "now Ben sees this"), 201);
    await rowAt(list, conversationId, seen.createdAt);

    await expectStatus(call(admin.as, `/api/inboxes/${sales.id}/access/${ben.id}`, { method: "DELETE" }), 204);
    await expectStatus(note(admin.as, conversationId, "Ben no longer sees this"), 201);
    // The next delivery finds nobody in Ben's gateway who may see Sales: the hub drops the subscription.
    await vi.waitFor(async () => expect(await subscribers(workspaceId, sales.id)).toEqual([]), WAIT);
    await roundTrip(list);
    expect(rowsOf(list, conversationId)).toHaveLength(1);
  });

  it("follows a move between inboxes: the old inbox's watchers drop the row, the new one's get it", async () => {
    const { admin } = await setUpWorkspace();
    const [sales, billing] = [await createInbox(admin, "Sales"), await createInbox(admin, "Billing")];
    const ana = await addUser(admin, "agent", "Ana Agent");
    const ben = await addUser(admin, "agent", "Ben Agent");
    await grant(admin, sales.id, ana, "reply");
    await grant(admin, billing.id, ben, "reply");
    const { conversationId } = await customerWritesIn(sales.widgetKey);
    const other = (await customerWritesIn(sales.widgetKey, "another", { name: "Oz", email: "oz@example.com" }))
      .conversationId;
    const anaList = await connect("/api/live", ana.as);
    const benList = await connect("/api/live", ben.as);
    const adminList = await connect("/api/live", admin.as);
    await updateConversation(admin.as, conversationId, { inboxId: billing.id });

    expect(await anaList.next("conversation_removed")).toEqual({ type: "conversation_removed", conversationId });
    await vi.waitFor(
      () => expect(rowsOf(benList, conversationId).at(-1)).toMatchObject({ conversation: { inboxId: billing.id } }),
      WAIT,
    );
    await vi.waitFor(
      () => expect(rowsOf(adminList, conversationId).at(-1)).toMatchObject({ conversation: { inboxId: billing.id } }),
      WAIT,
    );
    // Sales' hub delivers to a gateway in order: once the admin has a later Sales row, any removal came before it.
    const later = await expectStatus(note(admin.as, other, "later"), 201);
    await rowAt(adminList, other, later.createdAt);
    expect(adminList.pending("conversation_removed")).toEqual([]);
  });

  it("carries a new inbox to the open lists of those who see every inbox, without a reconnect", async () => {
    const { admin } = await setUpWorkspace();
    await createInbox(admin, "Sales");
    const list = await connect("/api/live", admin.as);
    const fresh = await createInbox(admin, "Returns");
    const { conversationId } = await customerWritesIn(fresh.widgetKey);
    const posted = await expectStatus(note(admin.as, conversationId, "first look"), 201);
    expect((await rowAt(list, conversationId, posted.createdAt)).inboxId).toBe(fresh.id);
  });
});

describe("drafts in a large room", () => {
  it("go out as one frame for all typists, latest first-hand, never back to their writer", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const [ana, ben, cleo] = await Promise.all(
      ["Ana", "Ben", "Cleo"].map((n) => addUser(admin, "agent", `${n} Agent`)),
    );
    for (const p of [ana!, ben!, cleo!]) await grant(admin, inbox.id, p, "reply");
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    // More agent sockets than LARGE_ROOM_SOCKETS (20): Ana watches from 19 tabs.
    const watchers: Socket[] = [];
    for (let i = 0; i < 19; i++) watchers.push(await openRoom(conversationId, ana!.as));
    const benRoom = await openRoom(conversationId, ben!.as);
    const cleoRoom = await openRoom(conversationId, cleo!.as);
    const words = "the invoice was sent twice and we refunded one".split(" ");
    let ben_ = "";
    let cleo_ = "";
    for (const word of words) {
      ben_ += `${word} `;
      cleo_ += `${word.toUpperCase()} `;
      benRoom.send({ type: "draft", body: ben_ });
      cleoRoom.send({ type: "draft", body: cleo_ });
    }
    const latest = (socket: Socket) => {
      const seen = new Map<string, string>();
      for (const f of socket.frames) if (f.type === "drafts") for (const d of f.drafts) seen.set(d.userId, d.body);
      return seen;
    };
    for (const socket of watchers) {
      await vi.waitFor(
        () => expect(Object.fromEntries(latest(socket))).toEqual({ [ben!.id]: ben_, [cleo!.id]: cleo_ }),
        WAIT,
      );
      // Batched: fewer frames than the 20 drafts sent, and none of them single drafts.
      const frames = socket.frames.filter((f) => f.type === "drafts" || f.type === "draft");
      expect(frames.every((f) => f.type === "drafts")).toBe(true);
      expect(frames.length).toBeLessThan(words.length * 2);
    }
    await vi.waitFor(() => expect(latest(benRoom).get(cleo!.id)).toBe(cleo_), WAIT);
    expect(latest(benRoom).has(ben!.id)).toBe(false);
    expect(latest(cleoRoom).get(ben!.id)).toBe(ben_);
    expect(latest(cleoRoom).has(cleo!.id)).toBe(false);
  });
});
