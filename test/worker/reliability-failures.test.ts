/**
 * What a team relies on when things go wrong underneath: a write that D1
 * refuses half-way leaves nothing behind and the next write lands; a room
 * evicted in the middle of a burst of replies loses and doubles none of them.
 */
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationRoomStub } from "../../worker/rooms/conversation-room";
import {
  addUser,
  call,
  expectStatus,
  grant,
  json,
  postMessage,
  reply,
  rowCounts,
  supportTeam,
  timeline,
  twoAgentsAndACustomer,
} from "./helpers";

const gapless = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("a D1 failure in the middle of a write", () => {
  it("leaves no item, no notification and lastSeq as it was; the next reply takes the next seq", async () => {
    const { ana, ben, conversationId } = await twoAgentsAndACustomer();
    // Ben follows, so Ana's reply writes a notification for him: the last statement of the reply's batch.
    await json(ben.as, `/api/conversations/${conversationId}/followers`, { body: { userId: ben.id } }, 201);
    const before = await timeline(ana.as, conversationId);
    const counts = () => rowCounts("timeline_items", "notifications", "outbox", "followers");
    const countsBefore = await counts();

    // A real D1 refusal, not a mock: a trigger that aborts the notification insert for one reply.
    await env.DB.exec(
      "CREATE TRIGGER fail_notification BEFORE INSERT ON notifications WHEN NEW.preview LIKE '%explode%' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
    );
    try {
      const failed = await reply(ana.as, conversationId, "Please explode now");
      expect(failed.status).toBeGreaterThanOrEqual(500);
      await expectStatus(failed, failed.status);
    } finally {
      await env.DB.exec("DROP TRIGGER fail_notification");
    }

    expect(await counts()).toEqual(countsBefore);
    const after = await timeline(ana.as, conversationId);
    expect(after.lastSeq).toBe(before.lastSeq);
    expect(after.items).toEqual(before.items);
    const conversation = await json(ana.as, `/api/conversations/${conversationId}`);
    expect(conversation.preview).not.toContain("explode");

    // The room did not move on either: the next reply takes the next seq, and Ben hears of it.
    const landed = await expectStatus(reply(ana.as, conversationId, "Your refund is on its way"), 201);
    expect(landed.seq).toBe(before.lastSeq + 1);
    const { items, lastSeq } = await timeline(ana.as, conversationId);
    expect(lastSeq).toBe(before.lastSeq + 1);
    expect(items.map((i) => i.seq)).toEqual(gapless(lastSeq));
    const { items: notices } = await json(ben.as, "/api/notifications");
    expect(notices.map((n) => n.preview)).toEqual([expect.stringContaining("refund is on its way")]);
  });
});

describe("200 concurrent replies across an eviction", () => {
  it("land once each, in a gapless seq, when the room is evicted mid-burst and clients retry with their key", async () => {
    const { admin, inbox } = await supportTeam();
    const agents = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const agent = await addUser(admin, "agent", `Agent${i} Burst`);
        await grant(admin, inbox.id, agent, "reply");
        return agent;
      }),
    );
    const { conversationId } = await json(
      null,
      `/api/widget/${inbox.widgetKey}/conversations`,
      { body: { name: "Cara", body: "Hello" } },
      201,
    );

    let answered = 0;
    let retries = 0;
    let answeredAtEviction = 0;
    // A client that lost its answer (an error or a 5xx) sends the same reply again with the same key.
    const send = async (agentIndex: number, i: number): Promise<number> => {
      const key = `burst-${agentIndex}-${i}`;
      for (let attempt = 0; ; attempt++) {
        const res = await postMessage(
          agents[agentIndex]!.as,
          conversationId,
          { kind: "reply", body: `reply ${key}` },
          { "Idempotency-Key": key },
        ).catch(() => null);
        if (res && res.status < 500) {
          answered++;
          return (await expectStatus(res, 201)).seq;
        }
        await res?.body?.cancel();
        retries++;
        expect(attempt, `reply ${key} still failing`).toBeLessThan(5);
      }
    };
    const wave = (from: number) => agents.flatMap((_, a) => Array.from({ length: 10 }, (_, i) => send(a, from + i)));
    // The first hundred go out at once; once a quarter of the burst is answered the room is evicted
    // (eviction drains what is in flight) while the second hundred arrive.
    const first = wave(0);
    await expect.poll(() => answered, { interval: 1, timeout: 60_000 }).toBeGreaterThanOrEqual(50);
    const eviction = evictDurableObject(conversationRoomStub(env, conversationId)).then(() => {
      answeredAtEviction = answered;
    });
    const second = wave(10);
    const seqs = await Promise.all([...first, ...second]);
    await eviction;
    // The eviction really fell in the middle of the burst: replies were answered before and after it.
    expect(answeredAtEviction).toBeGreaterThanOrEqual(50);
    expect(answeredAtEviction).toBeLessThan(200);

    expect(new Set(seqs).size).toBe(200);
    const { items, lastSeq } = await timeline(admin.as, conversationId);
    expect(lastSeq).toBe(201);
    expect(items.map((i) => i.seq)).toEqual(gapless(201));
    const bodies = items.filter((i) => i.kind === "reply").map((i) => i.body);
    expect(bodies).toHaveLength(200);
    expect(new Set(bodies).size).toBe(200);
    console.log(
      `eviction burst: 200 replies landed once each, evicted after ${answeredAtEviction} answers, ${retries} retried`,
    );
    // The room is still the writer afterwards.
    const next = await call(agents[0]!.as, `/api/conversations/${conversationId}/messages`, {
      body: { kind: "note", body: "after the burst" },
    });
    expect((await expectStatus(next, 201)).seq).toBe(202);
  }, 120_000);
});
