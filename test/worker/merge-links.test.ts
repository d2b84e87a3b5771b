/** A merge's links: the source's join the target, without doubles and without a link to itself. */
import { describe, expect, it } from "vitest";
import { agentWith, call, expectStatus, json, supportTeam } from "./helpers";

const linksOf = (as: { cookie: string }, id: string) =>
  json(as, `/api/conversations/${id}`).then((c) =>
    c.links.map((l) => (l.ticket ? `ticket:${l.ticket.id}` : `conversation:${l.conversation?.id}`)).sort(),
  );

describe("merging linked conversations", () => {
  it("moves the source's ticket and conversation links to the target, once each", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Agent");
    const start = (email: string, body: string) =>
      json(ana.as, "/api/conversations", { body: { inboxId: inbox.id, contact: { email }, body } }, 201).then(
        (c) => c.id as string,
      );
    const target = await start("kim@example.com", "First");
    const source = await start("kim@example.com", "Second");
    const other = await start("lee@example.com", "Someone else's");
    const shared = await json(
      ana.as,
      "/api/tickets",
      { body: { title: "Carrier delay", conversationId: target } },
      201,
    );
    const own = await json(ana.as, "/api/tickets", { body: { title: "Refund", conversationId: source } }, 201);
    const link = (from: string, body: Record<string, string>) =>
      expectStatus(call(ana.as, `/api/conversations/${from}/links`, { body }), 201);
    await link(source, { ticketId: shared.id });
    await link(source, { conversationId: other });
    await link(target, { conversationId: source });

    await expectStatus(
      call(ana.as, `/api/conversations/${source}/merge`, { body: { intoConversationId: target } }),
      200,
    );
    expect(await linksOf(ana.as, target)).toEqual(
      [`conversation:${other}`, `ticket:${own.id}`, `ticket:${shared.id}`].sort(),
    );
    expect(await linksOf(ana.as, other)).toEqual([`conversation:${target}`]);
    const ticket = await json(ana.as, `/api/tickets/${shared.id}`);
    expect(ticket.conversations.map((c) => c.id)).toEqual([target]);
  });
});
