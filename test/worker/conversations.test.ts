import { describe, expect, it } from "vitest";
import {
  addUser,
  agentWith,
  call,
  createInbox,
  customerSees,
  customerWrites,
  expectError,
  expectStatus,
  getConversation,
  json,
  listIds,
  listPage,
  note,
  pause,
  reply,
  rowCounts,
  startConversation,
  supportTeam,
  timeline,
  updateConversation,
  type As,
} from "./helpers";

const sorted = (ids: string[]) => [...ids].sort();

/** Starts `n` conversations one after another, oldest first. */
async function startMany(widgetKey: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await startConversation(widgetKey, `Question ${i}`)).id);
    await pause();
  }
  return ids;
}

async function resolve(as: As, id: string) {
  return expectStatus(updateConversation(as, id, { status: "resolved" }), 200);
}

describe("list views", () => {
  it("shows newest activity first and pages through every conversation exactly once", async () => {
    const { admin, inbox } = await supportTeam();
    const created = await startMany(inbox.widgetKey, 7);
    const newestFirst = [...created].reverse();

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await listPage(admin.as, { limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual(newestFirst);

    // A page that ends exactly at the last conversation has no next cursor.
    const whole = await listPage(admin.as, { limit: 7 });
    expect(whole.items.map((s) => s.id)).toEqual(newestFirst);
    expect(whole.nextCursor).toBeNull();
    const activity = whole.items.map((s) => Date.parse(s.lastActivityAt));
    expect(activity).toEqual([...activity].sort((a, b) => b - a));

    // A new message moves the oldest conversation to the top.
    const oldest = created[0]!;
    await expectStatus(reply(admin.as, oldest, "On it!"), 201);
    expect(await listIds(admin.as, { limit: 3 })).toEqual([oldest, expect.any(String), expect.any(String)]);
    const top = (await listPage(admin.as, { limit: 1 })).items[0];
    expect(top).toMatchObject({ id: oldest, preview: "On it!" });
  });

  it("keeps paging consistent when the default page size is used", async () => {
    const { admin, inbox } = await supportTeam();
    await startMany(inbox.widgetKey, 2);
    const page = await listPage(admin.as);
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBeNull();
  });

  it("filters all, mine, unassigned and resolved by inbox and assignee", async () => {
    const { admin, inbox: support } = await supportTeam("Support");
    const billing = await createInbox(admin, "Billing");
    const agent = await agentWith(admin, support.id, "reply", "Rita Replier");
    await json(admin.as, `/api/inboxes/${billing.id}/access/${agent.id}`, { method: "PUT", body: { access: "reply" } });

    const assigned = (await startConversation(support.widgetKey, "assigned")).id;
    const waiting = (await startConversation(support.widgetKey, "waiting")).id;
    const elsewhere = (await startConversation(billing.widgetKey, "elsewhere")).id;
    const done = (await startConversation(support.widgetKey, "done")).id;
    await json(admin.as, `/api/conversations/${assigned}`, { method: "PATCH", body: { assigneeId: agent.id } });
    await resolve(admin.as, done);

    const as = agent.as;
    expect(sorted(await listIds(as, { view: "all" }))).toEqual(sorted([assigned, waiting, elsewhere]));
    expect(sorted(await listIds(as))).toEqual(sorted([assigned, waiting, elsewhere]));
    expect(sorted(await listIds(as, { view: "all", inboxId: support.id }))).toEqual(sorted([assigned, waiting]));
    expect(await listIds(as, { view: "all", inboxId: billing.id })).toEqual([elsewhere]);
    expect(await listIds(as, { view: "all", assigneeId: agent.id })).toEqual([assigned]);
    expect(await listIds(as, { view: "mine" })).toEqual([assigned]);
    expect(await listIds(as, { view: "mine", inboxId: billing.id })).toEqual([]);
    expect(await listIds(admin.as, { view: "mine" })).toEqual([]);
    expect(sorted(await listIds(as, { view: "unassigned" }))).toEqual(sorted([waiting, elsewhere]));
    expect(await listIds(as, { view: "unassigned", inboxId: billing.id })).toEqual([elsewhere]);
    expect(await listIds(as, { view: "resolved" })).toEqual([done]);
    expect(await listIds(as, { view: "resolved", inboxId: billing.id })).toEqual([]);
    expect(await listIds(as, { view: "snoozed" })).toEqual([]);

    const summary = (await listPage(as, { view: "mine" })).items[0];
    expect(summary).toEqual({
      id: assigned,
      subject: null,
      status: "open",
      priority: "none",
      inboxId: support.id,
      channel: "chat",
      contact: { id: expect.any(String), name: "Cara Customer", email: null, emailVerified: false },
      assignee: { id: agent.id, name: "Rita Replier" },
      teamId: null,
      tags: [],
      preview: "assigned",
      lastActivityAt: expect.any(String),
      createdAt: expect.any(String),
      snoozedUntil: null,
      sla: null,
    });
  });
});

describe("agent-started conversations", () => {
  it("creates a conversation whose first item is the agent's reply", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await agentWith(admin, inbox.id, "reply", "Rita Replier");
    const conversation = await json(
      agent.as,
      "/api/conversations",
      {
        body: {
          inboxId: inbox.id,
          contact: { name: "Dora Doe", email: "Dora@Example.com" },
          subject: "Your refund",
          body: "Hi Dora, your refund is on its way.",
        },
      },
      201,
    );
    expect(conversation).toEqual({
      id: expect.any(String),
      subject: "Your refund",
      status: "open",
      priority: "none",
      inboxId: inbox.id,
      channel: "chat",
      contact: { id: expect.any(String), name: "Dora Doe", email: "dora@example.com", emailVerified: true },
      assignee: null,
      teamId: null,
      tags: [],
      preview: "Hi Dora, your refund is on its way.",
      lastActivityAt: expect.any(String),
      createdAt: expect.any(String),
      snoozedUntil: null,
      sla: null,
      followers: [],
      links: [],
      lastSeq: 1,
      mergedInto: null,
      // The team wrote first: nobody waited, so there is no first response time.
      metrics: {
        firstResponseAt: expect.any(String),
        firstResponseSeconds: null,
        replies: 1,
        resolvedAt: null,
        resolutionSeconds: null,
        reopened: 0,
      },
    });
    expect(await getConversation(agent.as, conversation.id)).toEqual(conversation);
    const { items, lastSeq } = await timeline(agent.as, conversation.id);
    expect(lastSeq).toBe(1);
    expect(items).toEqual([
      {
        seq: 1,
        kind: "reply",
        author: { type: "user", id: agent.id, name: "Rita Replier" },
        body: "Hi Dora, your refund is on its way.",
        createdAt: expect.any(String),
      },
    ]);
    expect(await listIds(agent.as)).toEqual([conversation.id]);

    // The same email finds the same contact next time.
    const again = await json(
      agent.as,
      "/api/conversations",
      { body: { inboxId: inbox.id, contact: { email: "dora@example.com" }, body: "One more thing" } },
      201,
    );
    expect(again.id).not.toBe(conversation.id);
    expect(again.contact).toEqual(conversation.contact);
  });

  it("needs reply access to the inbox", async () => {
    const { admin, inbox } = await supportTeam();
    const [viewer, noter, outsider] = await Promise.all([
      agentWith(admin, inbox.id, "view"),
      agentWith(admin, inbox.id, "note"),
      agentWith(admin, inbox.id, "none"),
    ]);
    const body = { inboxId: inbox.id, contact: { name: "Dora" }, body: "Hello" };
    const before = await rowCounts("conversations", "timeline_items", "contacts");
    await expectError(call(viewer.as, "/api/conversations", { body }), 403, "forbidden");
    await expectError(call(noter.as, "/api/conversations", { body }), 403, "forbidden");
    // Without access the inbox does not exist for them: the same answer as for a made-up inbox.
    const hidden = await expectError(call(outsider.as, "/api/conversations", { body }), 400, "validation_failed");
    const madeUp = await expectError(
      call(outsider.as, "/api/conversations", { body: { ...body, inboxId: "ib_nope" } }),
      400,
      "validation_failed",
    );
    expect(hidden).toEqual(madeUp);
    await expectError(
      call(admin.as, "/api/conversations", { body: { ...body, inboxId: "ib_nope" } }),
      400,
      "validation_failed",
    );
    expect(await rowCounts("conversations", "timeline_items", "contacts")).toEqual(before);
  });
});

describe("timeline", () => {
  it("pages by seq with after and limit; seqs are gapless and increasing", async () => {
    const { admin, inbox } = await supportTeam();
    const { id, contactToken } = await startConversation(inbox.widgetKey, "one");
    await expectStatus(note(admin.as, id, "two"), 201);
    await expectStatus(reply(admin.as, id, "three"), 201);
    await expectStatus(customerWrites(contactToken, id, "four"), 201);
    await expectStatus(note(admin.as, id, "five"), 201);

    const all = await json(admin.as, `/api/conversations/${id}/timeline`);
    expect(all.items.map((i) => [i.seq, i.kind, i.body])).toEqual([
      [1, "customer", "one"],
      [2, "note", "two"],
      [3, "reply", "three"],
      [4, "customer", "four"],
      [5, "note", "five"],
    ]);
    expect(all.lastSeq).toBe(5);

    const middle = await json(admin.as, `/api/conversations/${id}/timeline?after=2&limit=2`);
    expect(middle.items.map((i) => i.seq)).toEqual([3, 4]);
    expect(middle.lastSeq).toBe(5);
    const rest = await json(admin.as, `/api/conversations/${id}/timeline?after=4`);
    expect(rest.items.map((i) => i.body)).toEqual(["five"]);
    const nothing = await json(admin.as, `/api/conversations/${id}/timeline?after=5`);
    expect(nothing).toEqual({ items: [], lastSeq: 5 });
    expect((await getConversation(admin.as, id)).lastSeq).toBe(5);
  });
});

describe("status", () => {
  it("resolves, and a customer message reopens, leaving status_changed events", async () => {
    const { admin, inbox } = await supportTeam();
    const { id, contactToken } = await startConversation(inbox.widgetKey);

    const resolved = await resolve(admin.as, id);
    expect(resolved.status).toBe("resolved");
    expect(await listIds(admin.as)).toEqual([]);
    expect(await listIds(admin.as, { view: "resolved" })).toEqual([id]);
    // Resolving again changes nothing and records nothing.
    await resolve(admin.as, id);

    await expectStatus(customerWrites(contactToken, id, "Actually, one more question"), 201);
    expect((await getConversation(admin.as, id)).status).toBe("open");
    expect(await listIds(admin.as)).toEqual([id]);
    expect(await listIds(admin.as, { view: "resolved" })).toEqual([]);

    const { items } = await timeline(admin.as, id);
    expect(items.map((i) => [i.seq, i.kind])).toEqual([
      [1, "customer"],
      [2, "event"],
      [3, "customer"],
      [4, "event"],
    ]);
    expect(items[1]).toMatchObject({
      author: { type: "user", id: admin.id },
      event: { type: "status_changed", from: "open", to: "resolved" },
    });
    expect(items[3]).toMatchObject({
      author: { type: "system" },
      event: { type: "status_changed", from: "resolved", to: "open", cause: "customer" },
    });
  });

  it("a team reply reopens a resolved conversation; a note does not", async () => {
    const { admin, inbox } = await supportTeam();
    const { id } = await startConversation(inbox.widgetKey);
    await resolve(admin.as, id);

    await expectStatus(note(admin.as, id, "Closing the loop internally"), 201);
    expect((await getConversation(admin.as, id)).status).toBe("resolved");

    await expectStatus(reply(admin.as, id, "Following up on this"), 201);
    expect((await getConversation(admin.as, id)).status).toBe("open");
    const events = (await timeline(admin.as, id)).items.filter((i) => i.kind === "event").map((i) => i.event);
    expect(events).toEqual([
      { type: "status_changed", from: "open", to: "resolved" },
      { type: "status_changed", from: "resolved", to: "open", cause: "reply" },
    ]);
    // And an agent can reopen it by hand.
    await resolve(admin.as, id);
    const reopened = await json(admin.as, `/api/conversations/${id}`, { method: "PATCH", body: { status: "open" } });
    expect(reopened.status).toBe("open");
  });
});

describe("reply collisions", () => {
  it("refuses a reply behind a newer customer message with 409 and the newer items; force sends it", async () => {
    const { admin, inbox } = await supportTeam();
    const { id, contactToken } = await startConversation(inbox.widgetKey, "Where is my parcel?");
    const seen = (await getConversation(admin.as, id)).lastSeq;
    await expectStatus(customerWrites(contactToken, id, "Hello? Anyone?"), 201);

    const before = await rowCounts("timeline_items");
    const collision = await expectError(
      reply(admin.as, id, "It ships tomorrow", { lastSeenSeq: seen }),
      409,
      "collision",
    );
    expect(collision.details.newer).toEqual([
      {
        seq: 2,
        kind: "customer",
        author: { type: "contact", id: expect.any(String), name: "Cara Customer" },
        body: "Hello? Anyone?",
        createdAt: expect.any(String),
      },
    ]);
    expect(await rowCounts("timeline_items")).toEqual(before);

    // Notes never collide.
    await expectStatus(postNote(admin.as, id, seen), 201);
    const forced = await expectStatus(
      reply(admin.as, id, "It ships tomorrow", { lastSeenSeq: seen, force: true }),
      201,
    );
    expect(forced).toMatchObject({ seq: 4, kind: "reply", body: "It ships tomorrow" });
    // Up to date, no collision.
    await expectStatus(reply(admin.as, id, "Tracking link to follow", { lastSeenSeq: 4 }), 201);
  });

  it("collides with a colleague's reply, but not with notes or events", async () => {
    const { admin, inbox } = await supportTeam();
    const colleague = await agentWith(admin, inbox.id, "reply");
    const { id } = await startConversation(inbox.widgetKey);
    await expectStatus(note(colleague.as, id, "I think it's a billing bug"), 201);
    await expectStatus(updateConversation(colleague.as, id, { assigneeId: colleague.id }), 200);
    // Only a note and an event since seq 1: no collision.
    await expectStatus(reply(admin.as, id, "We're on it", { lastSeenSeq: 1 }), 201);

    await expectStatus(reply(colleague.as, id, "Fixed now", { lastSeenSeq: 4 }), 201);
    const collision = await expectError(reply(admin.as, id, "Any update?", { lastSeenSeq: 4 }), 409, "collision");
    expect(collision.details.newer.map((i) => [i.kind, i.body])).toEqual([["reply", "Fixed now"]]);
  });
});

const postNote = (as: As, id: string, lastSeenSeq: number) =>
  call(as, `/api/conversations/${id}/messages`, { body: { kind: "note", body: "Customer is waiting", lastSeenSeq } });

describe("Idempotency-Key", () => {
  it("returns the first reply for a retried one and writes one row", async () => {
    const { admin, inbox } = await supportTeam();
    const { id } = await startConversation(inbox.widgetKey);
    const key = { "Idempotency-Key": "reply-7f3a" };
    const first = await expectStatus(reply(admin.as, id, "Thanks for waiting", {}, key), 201);
    const before = await rowCounts("timeline_items");
    const retry = await expectStatus(reply(admin.as, id, "Thanks for waiting", {}, key), 201);
    expect(retry).toEqual(first);
    expect(await rowCounts("timeline_items")).toEqual(before);
    // A retry is recognised even when a collision would now refuse it.
    const stale = await expectStatus(reply(admin.as, id, "Thanks for waiting", { lastSeenSeq: 0 }, key), 201);
    expect(stale).toEqual(first);
    // A new key is a new message.
    await expectStatus(reply(admin.as, id, "Thanks for waiting", {}, { "Idempotency-Key": "reply-7f3b" }), 201);
    expect((await timeline(admin.as, id)).items.filter((i) => i.kind === "reply")).toHaveLength(2);
  });

  it("returns the first customer message for a retried widget message", async () => {
    const { inbox } = await supportTeam();
    const { id, contactToken } = await startConversation(inbox.widgetKey);
    const key = { "Idempotency-Key": "msg-1" };
    const first = await expectStatus(customerWrites(contactToken, id, "Still there?", key), 201);
    const before = await rowCounts("timeline_items");
    expect(await expectStatus(customerWrites(contactToken, id, "Still there?", key), 201)).toEqual(first);
    expect(await rowCounts("timeline_items")).toEqual(before);
    expect((await customerSees(contactToken, id)).items.map((i) => i.body)).toEqual([
      "Hello, my invoice looks wrong",
      "Still there?",
    ]);
  });

  it("creates an agent-started conversation once", async () => {
    const { admin, inbox } = await supportTeam();
    const body = { inboxId: inbox.id, contact: { name: "Dora" }, body: "Hello Dora" };
    const key = { "Idempotency-Key": "start-1" };
    const first = await json(admin.as, "/api/conversations", { body, headers: key }, 201);
    const before = await rowCounts("conversations", "timeline_items", "contacts");
    const retry = await json(admin.as, "/api/conversations", { body, headers: key }, 201);
    expect(retry.id).toBe(first.id);
    expect(retry.contact).toEqual(first.contact);
    expect(await rowCounts("conversations", "timeline_items", "contacts")).toEqual(before);
    // Another agent's identical key is their own.
    const colleague = await addUser(admin, "admin", "Al Second");
    const theirs = await json(colleague.as, "/api/conversations", { body, headers: key }, 201);
    expect(theirs.id).not.toBe(first.id);
  });

  it("creates a widget conversation once", async () => {
    const { admin, inbox } = await supportTeam();
    const key = { "Idempotency-Key": "3b0c1d9e-widget-start" };
    const first = await startConversation(inbox.widgetKey, "Hi!", { name: "Cara" }, key);
    const before = await rowCounts("conversations", "timeline_items", "contacts");
    // A retry proves it is the same visitor with the token the first answer gave (a key alone opens nothing).
    const retry = await startConversation(
      inbox.widgetKey,
      "Hi!",
      { name: "Cara" },
      {
        ...key,
        authorization: `Bearer ${first.contactToken}`,
      },
    );
    expect(retry).toEqual(first);
    expect(await rowCounts("conversations", "timeline_items", "contacts")).toEqual(before);
    expect((await customerSees(retry.contactToken, first.id)).items.map((i) => i.body)).toEqual(["Hi!"]);
    expect(await listIds(admin.as)).toEqual([first.id]);
  });

  it("keeps keys to their author: someone else's identical key writes their own item", async () => {
    const { admin, inbox } = await supportTeam();
    const colleague = await agentWith(admin, inbox.id, "reply");
    const { id, contactToken } = await startConversation(inbox.widgetKey);
    const key = { "Idempotency-Key": "1" };
    const secret = await expectStatus(note(admin.as, id, "Internal: customer owes us money", key), 201);

    const theirs = await expectStatus(reply(colleague.as, id, "Hello from Bea", {}, key), 201);
    expect(theirs).toMatchObject({ kind: "reply", body: "Hello from Bea", author: { id: colleague.id } });
    expect(theirs.seq).not.toBe(secret.seq);

    const customers = await expectStatus(customerWrites(contactToken, id, "Any news?", key), 201);
    expect(customers).toMatchObject({ kind: "customer", body: "Any news?" });
    expect(JSON.stringify(await customerSees(contactToken, id))).not.toContain("owes us money");
  });
});
