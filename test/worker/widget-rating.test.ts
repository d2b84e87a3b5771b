/** "How did we do?": where the customer's conversation stands, and their rating of each resolution. */
import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { conversationRoomStub } from "../../worker/rooms/conversation-room";
import {
  call,
  countRows,
  customerSees,
  customerWrites,
  expectError,
  expectStatus,
  json,
  reply,
  rowCounts,
  timeline,
  twoAgentsAndACustomer,
  updateConversation,
  type As,
} from "./helpers";
import { openRoom, openWidget } from "./sockets";

const WRITES = ["timeline_items", "ratings", "notifications"];

const rate = (contactToken: string, conversationId: string, body: unknown, headers: Record<string, string> = {}) =>
  call({ bearer: contactToken }, `/api/widget/conversations/${conversationId}/rating`, { body, headers });

const setStatus = (as: As, id: string, status: "open" | "resolved") =>
  expectStatus(updateConversation(as, id, { status }), 200);

/** A customer's conversation that an agent (Ana) answered and resolved. */
async function resolvedChat() {
  const team = await twoAgentsAndACustomer();
  await expectStatus(reply(team.ana.as, team.conversationId, "Refunded, sorry about that!"), 201);
  await setStatus(team.ana.as, team.conversationId, "resolved");
  return team;
}

const ratedEvents = async (as: As, id: string) =>
  (await timeline(as, id)).items.filter((i) => i.event?.type === "rated");

describe("the customer's state", () => {
  it("says in GET messages whether the chat is resolved and may be rated", async () => {
    const { ana, conversationId, contactToken } = await twoAgentsAndACustomer();
    expect((await customerSees(contactToken, conversationId)).state).toEqual({ resolved: false, canRate: false });
    await setStatus(ana.as, conversationId, "resolved");
    expect((await customerSees(contactToken, conversationId)).state).toEqual({ resolved: true, canRate: true });
    await expectStatus(rate(contactToken, conversationId, { score: 5 }), 201);
    expect((await customerSees(contactToken, conversationId)).state).toEqual({ resolved: true, canRate: false });
  });

  it("reaches the customer's socket after welcome and whenever it changes, without the rated event", async () => {
    const { ana, conversationId, contactToken } = await twoAgentsAndACustomer();
    const widget = await openWidget(conversationId, contactToken);
    expect((await widget.next("state")).state).toEqual({ resolved: false, canRate: false });
    const agent = await openRoom(conversationId, ana.as);

    await setStatus(ana.as, conversationId, "resolved");
    expect((await widget.next("state")).state).toEqual({ resolved: true, canRate: true });
    await expectStatus(rate(contactToken, conversationId, { score: 4, comment: "Quick, thanks" }), 201);
    expect((await widget.next("state")).state).toEqual({ resolved: true, canRate: false });
    // The agents see the rating arrive in the timeline.
    let item = await agent.next("item");
    while (item.item.event?.type !== "rated") item = await agent.next("item");
    expect(item.item.event).toEqual({ type: "rated", score: 4, comment: "Quick, thanks" });

    await setStatus(ana.as, conversationId, "open");
    expect((await widget.next("state")).state).toEqual({ resolved: false, canRate: false });
    // Only the state changed for the customer: no event ever reached them as an item.
    expect(widget.pending("item")).toEqual([]);
    // Agents get no state frame (one outside AgentFrame would fail this read).
    expect((await agent.next("item")).item.event).toMatchObject({ type: "status_changed", to: "open" });
    widget.close();
    agent.close();
  });

  it("is sent on a new customer socket as it stands (resolved and rated survive the room's eviction)", async () => {
    const { conversationId, contactToken } = await resolvedChat();
    await expectStatus(rate(contactToken, conversationId, { score: 3 }), 201);
    await evictDurableObject(conversationRoomStub(env, conversationId));
    const widget = await openWidget(conversationId, contactToken, 1_000);
    expect((await widget.next("state")).state).toEqual({ resolved: true, canRate: false });
    await expectError(rate(contactToken, conversationId, { score: 5 }), 409, "conflict");
    widget.close();
  });
});

describe("rating a resolution", () => {
  it("is shown to agents as a rated event by the contact, and never to the customer", async () => {
    const { ana, conversationId, contactToken } = await resolvedChat();
    const rating = await expectStatus(
      rate(contactToken, conversationId, { score: 5, comment: "  Great help!  " }),
      201,
    );
    expect(rating).toEqual({ score: 5, comment: "Great help!", createdAt: expect.any(String) });
    const [rated] = await ratedEvents(ana.as, conversationId);
    expect(rated).toMatchObject({
      kind: "event",
      author: { type: "contact", name: "Cara Customer" },
      event: { type: "rated", score: 5, comment: "Great help!" },
    });
    const seen = await customerSees(contactToken, conversationId);
    expect(seen.items.map((i) => i.kind)).toEqual(["customer", "reply"]);
    expect(JSON.stringify(seen)).not.toContain("Great help!");
  });

  it("tells the conversation's assignee, in words", async () => {
    const { ana, ben, conversationId, contactToken } = await resolvedChat();
    await expectStatus(updateConversation(ana.as, conversationId, { assigneeId: ben.id }), 200);
    await expectStatus(rate(contactToken, conversationId, { score: 4, comment: "Good" }), 201);
    const { items } = await json(ben.as, "/api/notifications");
    expect(items[0]).toMatchObject({
      kind: "update",
      conversationId,
      actor: { name: "Cara Customer" },
      preview: "Cara Customer rated the conversation ★★★★☆: “Good”",
    });
  });

  it("happens once per resolution: a second is 409 and writes nothing", async () => {
    const { ana, conversationId, contactToken } = await resolvedChat();
    await expectStatus(rate(contactToken, conversationId, { score: 2 }), 201);
    const before = await rowCounts(...WRITES);
    const again = await expectError(rate(contactToken, conversationId, { score: 5 }), 409, "conflict");
    expect(again.message).toMatch(/already been rated/);
    expect(await rowCounts(...WRITES)).toEqual(before);
    expect((await ratedEvents(ana.as, conversationId)).map((i) => i.event)).toEqual([
      { type: "rated", score: 2, comment: null },
    ]);
  });

  it("counts one of several submits sent at once", async () => {
    const { ana, conversationId, contactToken } = await resolvedChat();
    const answers = await Promise.all(
      [1, 2, 3, 4, 5].map((score) => rate(contactToken, conversationId, { score }).then((r) => r.status)),
    );
    expect(answers.filter((s) => s === 201)).toHaveLength(1);
    expect(answers.filter((s) => s === 409)).toHaveLength(4);
    expect(await countRows("ratings")).toBe(1);
    expect(await ratedEvents(ana.as, conversationId)).toHaveLength(1);
  });

  it("is refused (409) while the conversation is not resolved, and writes nothing", async () => {
    const { conversationId, contactToken } = await twoAgentsAndACustomer();
    const before = await rowCounts(...WRITES);
    const error = await expectError(rate(contactToken, conversationId, { score: 5 }), 409, "conflict");
    expect(error.message).toMatch(/resolved/);
    expect(await rowCounts(...WRITES)).toEqual(before);
  });

  it("is asked again after the conversation is reopened and resolved again", async () => {
    const { ana, conversationId, contactToken } = await resolvedChat();
    await expectStatus(rate(contactToken, conversationId, { score: 2, comment: "Still broken" }), 201);
    // The customer writes again (which reopens it) and the team resolves it once more.
    await expectStatus(customerWrites(contactToken, conversationId, "It broke again"), 201);
    expect((await customerSees(contactToken, conversationId)).state).toEqual({ resolved: false, canRate: false });
    await expectError(rate(contactToken, conversationId, { score: 3 }), 409, "conflict");
    await setStatus(ana.as, conversationId, "resolved");
    expect((await customerSees(contactToken, conversationId)).state.canRate).toBe(true);
    await expectStatus(rate(contactToken, conversationId, { score: 5 }), 201);
    expect((await ratedEvents(ana.as, conversationId)).map((i) => i.event?.type === "rated" && i.event.score)).toEqual([
      2, 5,
    ]);
    const rows = await env.DB.prepare("SELECT score, resolution_seq FROM ratings WHERE conversation_id = ?")
      .bind(conversationId)
      .all<{ score: number; resolution_seq: number }>();
    expect(new Set(rows.results.map((r) => r.resolution_seq)).size).toBe(2);
  });

  it("refuses a score outside 1..5 or a long comment with 400, writing nothing", async () => {
    const { conversationId, contactToken } = await resolvedChat();
    const before = await rowCounts(...WRITES);
    for (const body of [{ score: 0 }, { score: 6 }, { score: 2.5 }, { score: "5" }, {}, { score: 5, extra: 1 }]) {
      await expectError(rate(contactToken, conversationId, body), 400, "validation_failed");
    }
    const long = await expectError(
      rate(contactToken, conversationId, { score: 4, comment: "x".repeat(2_001) }),
      400,
      "validation_failed",
    );
    expect(long.details.map((d) => d.path)).toEqual([["comment"]]);
    expect(await rowCounts(...WRITES)).toEqual(before);
  });

  it("is refused to a blocked contact, and to anyone without the contact's token", async () => {
    const { ana, conversationId, contactToken } = await resolvedChat();
    await env.DB.prepare(
      "UPDATE contacts SET blocked = 1 WHERE id = (SELECT contact_id FROM conversations WHERE id = ?)",
    )
      .bind(conversationId)
      .run();
    const before = await rowCounts(...WRITES);
    await expectError(rate(contactToken, conversationId, { score: 1 }), 403, "forbidden");
    const asAgent = call(ana.as, `/api/widget/conversations/${conversationId}/rating`, { body: { score: 1 } });
    await expectError(asAgent, 401, "unauthenticated");
    expect(await rowCounts(...WRITES)).toEqual(before);
  });

  it("is rate-limited per visitor address, like the widget's messages", async () => {
    const { conversationId, contactToken } = await resolvedChat();
    const ip = { "cf-connecting-ip": "203.0.113.7" };
    await expectStatus(rate(contactToken, conversationId, { score: 4 }, ip), 201);
    // Every further submit counts, refused or not: 120 per ten minutes.
    for (let i = 1; i < 120; i++)
      await expectError(rate(contactToken, conversationId, { score: 4 }, ip), 409, "conflict");
    const before = await rowCounts(...WRITES);
    await expectError(rate(contactToken, conversationId, { score: 4 }, ip), 429, "rate_limited");
    expect(await rowCounts(...WRITES)).toEqual(before);
    await expectError(
      rate(contactToken, conversationId, { score: 4 }, { "cf-connecting-ip": "203.0.113.8" }),
      409,
      "conflict",
    );
  });
});
