import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationRoomStub, getConversationRoom } from "../../worker/rooms/conversation-room";
import { withIdentity } from "../../worker/rooms/sockets";
import {
  addUser,
  call,
  createInbox,
  customerWritesIn,
  grant,
  json,
  ORIGIN,
  type Person,
  postMessage,
  setUpWorkspace,
  timeline,
} from "./helpers";
import { openRoom } from "./sockets";

async function roomWithAgents(count: number) {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin);
  const agents: Person[] = [];
  for (let i = 0; i < count; i++) {
    const agent = await addUser(admin, "agent", `Agent${i} Test`);
    await grant(admin, inbox.id, agent, "reply");
    agents.push(agent);
  }
  const { conversationId } = await customerWritesIn(inbox.widgetKey);
  return { admin, inbox, agents, conversationId };
}

describe("the room is the only writer, provably", () => {
  it("after evictions, sockets joining while field changes and replies run never put back an older state", async () => {
    const { admin, agents, conversationId } = await roomWithAgents(3);
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
    const { agents, conversationId } = await roomWithAgents(1);
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
    const { admin, inbox } = await roomWithAgents(0);
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
    const { admin, inbox } = await roomWithAgents(0);
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
    const { admin, inbox } = await roomWithAgents(0);
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
