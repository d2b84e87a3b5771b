import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { Collision } from "../../worker/contract";
import { conversationRoomStub, getConversationRoom } from "../../worker/rooms/conversation-room";
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
} from "./helpers";

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
