/**
 * Real teams at D1's limits (100 bound parameters per statement, 32 arguments
 * per SQL function, 100 KB per statement): the suite's D1 refuses what remote
 * D1 refuses (strict-d1.ts), so each of these answered 500 before the
 * queries that grow with data were chunked or given their ids as one JSON string.
 */
import { describe, expect, it } from "vitest";
import { MAX_MENTIONS, MAX_RULE_ACTIONS, MAX_TAGS, MAX_IDS_PER_REQUEST } from "../../worker/contract";
import {
  addUser,
  call,
  createInbox,
  customerWrites,
  expectStatus,
  grant,
  json,
  listIds,
  mention,
  note,
  reply,
  setTags,
  setUpWorkspace,
  startConversation,
  type Person,
} from "./helpers";

async function teamOf(size: number) {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin);
  const agents: Person[] = [];
  for (let i = 0; i < size; i++) {
    const agent = await addUser(admin, "agent", `Agent${i} Many`);
    await grant(admin, inbox.id, agent, "reply");
    agents.push(agent);
  }
  return { admin, inbox, agents };
}

const noticesOf = async (who: Person, conversationId: string) =>
  (await json(who.as, "/api/notifications?limit=100")).items.filter((n) => n.conversationId === conversationId);

describe("a conversation followed by a whole team", () => {
  it("takes a customer message and a reply with 40 followers and an assignee, and notifies them all", async () => {
    const { admin, inbox, agents } = await teamOf(41);
    const [assignee, ...watchers] = agents as [Person, ...Person[]];
    const { id, contactToken } = await startConversation(inbox.widgetKey);
    for (const w of watchers)
      await expectStatus(call(admin.as, `/api/conversations/${id}/followers`, { body: { userId: w.id } }), 201);
    await expectStatus(
      call(admin.as, `/api/conversations/${id}`, { method: "PATCH", body: { assigneeId: assignee.id } }),
      200,
    );

    await expectStatus(customerWrites(contactToken, id, "Any news on my refund?"), 201);
    await expectStatus(reply(assignee.as, id, "On its way today."), 201);

    const conversation = await json(admin.as, `/api/conversations/${id}`);
    expect(conversation.followers.map((f) => f.id)).toEqual(expect.arrayContaining(watchers.map((w) => w.id)));
    for (const who of [assignee, ...watchers]) {
      const previews = (await noticesOf(who, id)).map((n) => n.preview);
      expect(previews).toContain("Any news on my refund?");
      if (who !== assignee) expect(previews).toContain("On its way today.");
    }
  });

  it("mentions the most agents a note may name at once", async () => {
    const { inbox, agents } = await teamOf(MAX_MENTIONS + 1);
    const [author, ...named] = agents as [Person, ...Person[]];
    const { id } = await startConversation(inbox.widgetKey);
    await expectStatus(mention(author.as, id, named), 201);
    expect(named).toHaveLength(MAX_MENTIONS);
    for (const who of named) {
      expect((await noticesOf(who, id)).map((n) => n.kind)).toContain("mention");
      expect(await listIds(who.as, { view: "mentioned" })).toEqual([id]);
    }
  });
});

describe("many tags at once", () => {
  it("replaces 30 tags a rule added with 20 others in one PUT: 50 changes", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const ruleTags = Array.from({ length: 30 }, (_, i) => `rule-${i}`);
    await json(
      admin.as,
      `/api/inboxes/${inbox.id}/rules`,
      {
        body: {
          name: "Tag everything",
          conditions: [],
          actions: [
            { type: "add_tags", tags: ruleTags.slice(0, 15) },
            { type: "add_tags", tags: ruleTags.slice(15) },
          ],
        },
      },
      201,
    );
    const { id } = await startConversation(inbox.widgetKey);
    expect((await json(admin.as, `/api/conversations/${id}`)).tags.sort()).toEqual([...ruleTags].sort());

    const mine = Array.from({ length: MAX_TAGS }, (_, i) => `mine-${i}`);
    const updated = await expectStatus(setTags(admin.as, id, mine), 200);
    expect(updated.tags.sort()).toEqual([...mine].sort());
    expect(await listIds(admin.as, { view: "all", tag: "mine-7" })).toEqual([id]);
    expect(await listIds(admin.as, { view: "all", tag: "rule-7" })).toEqual([]);
  });

  it("runs a rule with the most tag actions allowed", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const actions = Array.from({ length: MAX_RULE_ACTIONS }, (_, a) => ({
      type: "add_tags" as const,
      tags: Array.from({ length: MAX_TAGS }, (_, t) => `t${a}-${t}`),
    }));
    await json(admin.as, `/api/inboxes/${inbox.id}/rules`, { body: { name: "Wide", conditions: [], actions } }, 201);
    const { id } = await startConversation(inbox.widgetKey);
    expect((await json(admin.as, `/api/conversations/${id}`)).tags).toHaveLength(MAX_RULE_ACTIONS * MAX_TAGS);
  });
});

describe("a workspace with 120 inboxes", () => {
  async function bigWorkspace() {
    const { admin } = await setUpWorkspace();
    const inboxes = [];
    for (let i = 0; i < 120; i++) inboxes.push(await createInbox(admin, `Inbox ${i}`));
    const last = inboxes.at(-1)!;
    const { id } = await startConversation(last.widgetKey, "Where is parcel zebra42?");
    return { admin, inboxes, id };
  }

  it("lets its admin list and search every inbox", async () => {
    const { admin, id } = await bigWorkspace();
    expect(await listIds(admin.as, { view: "all" })).toEqual([id]);
    expect((await json(admin.as, "/api/search?q=zebra42")).items.map((h) => h.id)).toEqual([id]);
  });

  it("lets an agent granted all 120 list and search them, and nothing else", async () => {
    const { admin, inboxes, id } = await bigWorkspace();
    const agent = await addUser(admin, "agent", "Gus Granted");
    for (const inbox of inboxes) await grant(admin, inbox.id, agent, "reply");
    const outside = await createInbox(admin, "Not granted");
    await startConversation(outside.widgetKey, "Another zebra42 parcel");

    expect(await listIds(agent.as, { view: "all" })).toEqual([id]);
    expect((await json(agent.as, "/api/search?q=zebra42")).items.map((h) => h.id)).toEqual([id]);
    expect((await json(agent.as, "/api/me")).inboxes).toHaveLength(120);
    await expectStatus(note(agent.as, id, "Looking"), 201);
  });
});

describe("the largest arrays a request may carry", () => {
  const fakeIds = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}_${i}`);

  it("answers a team with the most member ids allowed, known or not, without a 500", async () => {
    const { admin } = await setUpWorkspace();
    const res = await call(admin.as, "/api/teams", {
      body: { name: "Everyone", memberIds: fakeIds(MAX_IDS_PER_REQUEST, "us") },
    });
    expect(res.status).toBe(400);
    const team = await json(admin.as, "/api/teams", { body: { name: "Just me", memberIds: [admin.id] } }, 201);
    await json(admin.as, `/api/teams/${team.id}`, {
      method: "PATCH",
      body: { memberIds: Array.from({ length: MAX_IDS_PER_REQUEST }, () => admin.id) },
    });
  });

  it("marks the most notification ids allowed as read", async () => {
    const { admin } = await setUpWorkspace();
    const answer = await json(admin.as, "/api/notifications/read", {
      body: { ids: fakeIds(MAX_IDS_PER_REQUEST, "nt") },
    });
    expect(answer.unreadCount).toBe(0);
  });
});
