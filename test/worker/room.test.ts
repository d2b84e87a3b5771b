import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Collision } from "../../worker/contract";
import { conversationRoomStub, getConversationRoom } from "../../worker/rooms/conversation-room";
import { withIdentity } from "../../worker/rooms/sockets";
import {
  addUser,
  createInbox,
  customerWritesIn,
  expectStatus,
  grant,
  postMessage,
  setUpWorkspace,
  timeline,
  type Person,
  ORIGIN,
  json,
  call,
} from "./helpers";
import { openRoom } from "./sockets";

async function conversationWithAgents(agentCount: number) {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin);
  const agents: Person[] = [];
  for (let i = 0; i < agentCount; i++) {
    const agent = await addUser(admin, "agent", `Agent${i} Test`);
    await grant(admin, inbox.id, agent, "reply");
    agents.push(agent);
  }
  const { conversationId } = await customerWritesIn(inbox.widgetKey);
  return { admin, inbox, agents, conversationId };
}

const seqsOf = (items: { seq: number }[]) => items.map((i) => i.seq);
const gapless = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("ConversationRoom, the single writer", () => {
  it("lands 200 concurrent replies from 10 agents exactly once, in a gapless seq", async () => {
    const { agents, conversationId, admin } = await conversationWithAgents(10);
    const sends = agents
      .flatMap((agent, a) =>
        Array.from({ length: 20 }, (_, i) => {
          const key = `a${a}-r${i}`;
          const send = () =>
            postMessage(agent.as, conversationId, { kind: "reply", body: `reply ${key}` }, { "Idempotency-Key": key });
          // Every fifth reply is retried at once, as a client that lost the first answer would.
          return i % 5 === 0 ? [send(), send()] : [send()];
        }),
      )
      .flat();
    const responses = await Promise.all(sends);
    for (const res of responses) expect(res.status).toBe(201);

    const { items, lastSeq } = await timeline(admin.as, conversationId);
    expect(lastSeq).toBe(201);
    expect(seqsOf(items)).toEqual(gapless(201));
    const bodies = items.filter((i) => i.kind === "reply").map((i) => i.body);
    expect(bodies).toHaveLength(200);
    expect(new Set(bodies).size).toBe(200);
  }, 120_000);

  it("answers a retried Idempotency-Key with the first item, even when both arrive together", async () => {
    const { agents, conversationId, admin } = await conversationWithAgents(1);
    const agent = agents[0]!;
    const [first, second] = await Promise.all(
      [0, 1].map(() =>
        postMessage(agent.as, conversationId, { kind: "note", body: "once" }, { "Idempotency-Key": "same" }),
      ),
    );
    const a = await expectStatus(first!, 201);
    const b = await expectStatus(second!, 201);
    expect(b).toEqual(a);
    const { items } = await timeline(admin.as, conversationId);
    expect(items.filter((i) => i.body === "once")).toHaveLength(1);
  });

  it("keeps counting after an eviction: nothing lost, nothing doubled", async () => {
    const { agents, conversationId, admin } = await conversationWithAgents(1);
    const agent = agents[0]!;
    await expectStatus(
      postMessage(agent.as, conversationId, { kind: "reply", body: "before" }, { "Idempotency-Key": "k-before" }),
      201,
    );

    await evictDurableObject(conversationRoomStub(env, conversationId));

    // A retry of the acknowledged reply after the eviction still returns the first result.
    const retried = await expectStatus(
      postMessage(agent.as, conversationId, { kind: "reply", body: "before" }, { "Idempotency-Key": "k-before" }),
      201,
    );
    expect(retried.seq).toBe(2);
    const after = await expectStatus(postMessage(agent.as, conversationId, { kind: "reply", body: "after" }), 201);
    expect(after.seq).toBe(3);

    const { items } = await timeline(admin.as, conversationId);
    expect(seqsOf(items)).toEqual([1, 2, 3]);
    expect(items.map((i) => i.body)).toEqual(["Hello, my invoice looks wrong", "before", "after"]);
  });

  it("guards replies against collisions after an eviction too", async () => {
    const { agents, conversationId } = await conversationWithAgents(2);
    const [ana, ben] = agents as [Person, Person];
    await expectStatus(
      postMessage(ana.as, conversationId, { kind: "reply", body: "Ana was first", lastSeenSeq: 1 }),
      201,
    );
    await evictDurableObject(conversationRoomStub(env, conversationId));
    const refused = await expectStatus(
      postMessage(ben.as, conversationId, { kind: "reply", body: "Ben too", lastSeenSeq: 1 }),
      409,
    );
    expect(refused.error.code).toBe("collision");
    expect(Collision.parse(refused.error.details).newer.map((i) => i.body)).toEqual(["Ana was first"]);
  });

  it("refuses writes to a conversation that does not exist", async () => {
    const result = await getConversationRoom(env, "cv_missing").post("cv_missing", {
      kind: "note",
      body: "hello?",
      author: { type: "user", id: "us_x", name: "X" },
    });
    expect(result).toEqual({ ok: false, error: { code: "not_found", message: "Conversation not found" } });
  });
});

describe("the room is the only writer, provably", () => {
  it("after evictions, sockets joining while field changes and replies run never put back an older state", async () => {
    const { admin, agents, conversationId } = await conversationWithAgents(3);
    const priorities = ["low", "high"] as const;
    let expected = 1;
    for (let round = 0; round < 12; round++) {
      if (round % 3 === 0) await evictDurableObject(conversationRoomStub(env, conversationId));
      // A field change re-reads the conversation; joins land while it does; replies queue behind.
      const joins = agents.map((agent) => openRoom(conversationId, agent.as, 0));
      const change = call(admin.as, `/api/conversations/${conversationId}`, {
        method: "PATCH",
        body: { priority: priorities[round % 2] },
      });
      const posts = agents.map((agent, i) =>
        postMessage(agent.as, conversationId, { kind: "reply", body: `round ${round}, agent ${i}` }),
      );
      const [sockets, changed, ...replies] = await Promise.all([Promise.all(joins), change, ...posts]);
      expect([changed.status, ...replies.map((r) => r.status)]).toEqual([200, ...agents.map(() => 201)]);
      for (const socket of sockets) socket.close();
      expected += agents.length + 1;
    }
    const { items, lastSeq } = await timeline(admin.as, conversationId);
    expect(lastSeq).toBe(expected);
    expect(items.map((i) => i.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
  }, 90_000);
});

const stagger = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the room's state is loaded only inside its queue", () => {
  it("a socket joining while a field change reloads the room cannot put back what was read before the commit", async () => {
    const { agents, conversationId } = await conversationWithAgents(1);
    const agent = agents[0]!;
    const author = { type: "user" as const, id: agent.id, name: agent.name };
    const room = getConversationRoom(env, conversationId);
    const join = async () => {
      const identity = {
        audience: "agent" as const,
        conversationId,
        userId: agent.id,
        name: agent.name,
        canWrite: true,
      };
      const res = await room.fetch(withIdentity(new Request(ORIGIN, { headers: { Upgrade: "websocket" } }), identity));
      res.webSocket?.accept();
      res.webSocket?.close(1000, "bye");
      return res.status;
    };
    let expected = 1;
    for (let round = 0; round < 12; round++) {
      await evictDurableObject(conversationRoomStub(env, conversationId));
      // The change starts reloading the room; the join is staggered by 0–5 ms to land at every point of
      // that load (an interleaving, not a wait); the reply queues behind the change.
      const changed = room.update(conversationId, { priority: round % 2 ? "high" : "low" }, author);
      const joined = stagger(round % 6).then(join);
      const posted = stagger(round % 6).then(() =>
        room.post(conversationId, { kind: "reply", body: `round ${round}`, author }),
      );
      const results = await Promise.all([changed, joined, posted]);
      expect([results[0].ok, results[1], results[2].ok]).toEqual([true, 101, true]);
      expected += 2;
    }
    const { items } = await timeline(agent.as, conversationId);
    expect(items.map((i) => i.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
  });
});

describe("links, one per pair", () => {
  it("linking the same two conversations from both sides at once makes one link, and a clear 409", async () => {
    const { admin, inbox } = await conversationWithAgents(0);
    const a = await customerWritesIn(inbox.widgetKey, "First", { name: "Ann", email: "ann@example.com" });
    const b = await customerWritesIn(inbox.widgetKey, "Second", { name: "Bob", email: "bob@example.com" });
    const [ab, ba] = await Promise.all([
      call(admin.as, `/api/conversations/${a.conversationId}/links`, { body: { conversationId: b.conversationId } }),
      call(admin.as, `/api/conversations/${b.conversationId}/links`, { body: { conversationId: a.conversationId } }),
    ]);
    expect([ab.status, ba.status].sort()).toEqual([201, 409]);
    const refused = ab.status === 409 ? ab : ba;
    expect((await refused.json<{ error: { code: string } }>()).error.code).toBe("conflict");

    const rows = await env.DB.prepare("SELECT count(*) AS n FROM links").first<{ n: number }>();
    expect(rows!.n).toBe(1);
    // Both sides show the one link, and each timeline records it once.
    for (const id of [a.conversationId, b.conversationId]) {
      const conversation = await json(admin.as, `/api/conversations/${id}`);
      expect(conversation.links).toHaveLength(1);
      const { items } = await timeline(admin.as, id);
      expect(items.filter((i) => i.event?.type === "linked")).toHaveLength(1);
    }
  });

  it("linking a ticket twice at once makes one link", async () => {
    const { admin, inbox } = await conversationWithAgents(0);
    const { conversationId } = await customerWritesIn(inbox.widgetKey);
    const ticket = await json(admin.as, "/api/tickets", { body: { title: "Refund flow" } }, 201);
    const attempts = await Promise.all(
      [0, 1, 2].map(() =>
        call(admin.as, `/api/conversations/${conversationId}/links`, { body: { ticketId: ticket.id } }),
      ),
    );
    expect(attempts.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const { items } = await timeline(admin.as, conversationId);
    expect(items.filter((i) => i.event?.type === "linked")).toHaveLength(1);
  });

  it("removing a link another conversation owns is a 404 from the room, and writes nothing", async () => {
    const { admin, inbox } = await conversationWithAgents(0);
    const a = await customerWritesIn(inbox.widgetKey, "First", { name: "Ann", email: "ann@example.com" });
    const b = await customerWritesIn(inbox.widgetKey, "Second", { name: "Bob", email: "bob@example.com" });
    const c = await customerWritesIn(inbox.widgetKey, "Third", { name: "Cy", email: "cy@example.com" });
    const linked = await json(
      admin.as,
      `/api/conversations/${a.conversationId}/links`,
      { body: { conversationId: b.conversationId } },
      201,
    );
    const res = await call(admin.as, `/api/conversations/${c.conversationId}/links/${linked.links[0]!.id}`, {
      method: "DELETE",
    });
    expect(res.status).toBe(404);
    const { lastSeq } = await timeline(admin.as, c.conversationId);
    expect(lastSeq).toBe(1);
  });
});
