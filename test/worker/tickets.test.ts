import { describe, expect, it } from "vitest";
import { addUser, call, createInbox, customerWritesIn, expectStatus, grant, json, setUpWorkspace } from "./helpers";

async function twoInboxes() {
  const { admin } = await setUpWorkspace();
  const support = await createInbox(admin, "Support");
  const billing = await createInbox(admin, "Billing");
  const ana = await addUser(admin, "agent", "Ana Agent");
  await grant(admin, support.id, ana, "reply");
  const a = (await customerWritesIn(support.widgetKey, "Charged twice", { name: "Cara", email: "cara@x.test" }))
    .conversationId;
  const b = (await customerWritesIn(support.widgetKey, "Also charged twice", { name: "Dan", email: "dan@x.test" }))
    .conversationId;
  const hidden = (await customerWritesIn(billing.widgetKey, "Refund please", { name: "Eve", email: "eve@x.test" }))
    .conversationId;
  return { admin, ana, a, b, hidden };
}

const linksOf = (as: { cookie: string }, id: string) => json(as, `/api/conversations/${id}`).then((c) => c.links);
const events = (as: { cookie: string }, id: string) =>
  json(as, `/api/conversations/${id}/timeline`).then((t) =>
    t.items.filter((i: { kind: string }) => i.kind === "event").map((i) => i.event),
  );

describe("tickets and links", () => {
  it("creates a ticket from a conversation; the link shows on both sides", async () => {
    const { ana, a } = await twoInboxes();
    const ticket = await json(
      ana.as,
      "/api/tickets",
      { body: { title: "Double charges", description: "Stripe retries", conversationId: a } },
      201,
    );
    expect(ticket).toMatchObject({
      title: "Double charges",
      status: "open",
      conversations: [{ id: a, preview: "Charged twice", status: "open" }],
    });
    expect(await linksOf(ana.as, a)).toEqual([
      { id: ticket.conversations[0]!.linkId, ticket: { id: ticket.id, title: "Double charges", status: "open" } },
    ]);
    const done = await json(ana.as, `/api/tickets/${ticket.id}`, { method: "PATCH", body: { status: "done" } });
    expect(done.status).toBe("done");
    expect((await linksOf(ana.as, a))[0]!.ticket?.status).toBe("done");
    expect(await events(ana.as, a)).toEqual([{ type: "linked", ticket: { id: ticket.id, title: "Double charges" } }]);
  });

  it("links two conversations both ways, refuses duplicates and self-links, and unlinks from either side", async () => {
    const { ana, a, b } = await twoInboxes();
    const after = await json(ana.as, `/api/conversations/${a}/links`, { body: { conversationId: b } }, 201);
    const link = after.links[0]!;
    expect(link).toMatchObject({ conversation: { id: b, preview: "Also charged twice" } });
    expect(await linksOf(ana.as, b)).toEqual([
      { id: link.id, conversation: { id: a, subject: null, preview: "Charged twice", status: "open" } },
    ]);
    expect((await call(ana.as, `/api/conversations/${b}/links`, { body: { conversationId: a } })).status).toBe(409);
    expect((await call(ana.as, `/api/conversations/${a}/links`, { body: { conversationId: a } })).status).toBe(400);

    await expectStatus(call(ana.as, `/api/conversations/${b}/links/${link.id}`, { method: "DELETE" }), 204);
    expect(await linksOf(ana.as, a)).toEqual([]);
    expect(await linksOf(ana.as, b)).toEqual([]);
    expect((await events(ana.as, a)).map((e) => e?.type)).toEqual(["linked", "unlinked"]);
    expect((await events(ana.as, b)).map((e) => e?.type)).toEqual(["linked", "unlinked"]);
  });

  it("never shows an agent a linked conversation in an inbox they cannot see", async () => {
    const { admin, ana, a, hidden } = await twoInboxes();
    // Ana cannot link to what she cannot see: it "does not exist".
    expect((await call(ana.as, `/api/conversations/${a}/links`, { body: { conversationId: hidden } })).status).toBe(
      400,
    );
    await json(admin.as, `/api/conversations/${a}/links`, { body: { conversationId: hidden } }, 201);
    expect((await linksOf(admin.as, a)).map((l) => l.conversation?.id)).toEqual([hidden]);
    expect(await linksOf(ana.as, a)).toEqual([]);
    const ticket = await json(admin.as, "/api/tickets", { body: { title: "Refunds", conversationId: hidden } }, 201);
    expect((await json(ana.as, `/api/tickets/${ticket.id}`)).conversations).toEqual([]);
  });
});
