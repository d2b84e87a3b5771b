import { describe, expect, it } from "vitest";
import { ftsQuery, highlight } from "../../worker/db/queries/search";
import { addUser, call, createInbox, customerWritesIn, grant, json, postMessage, setUpWorkspace } from "./helpers";

describe("search", () => {
  it("finds messages, notes, subjects and contacts by prefix, ranked, one hit per conversation", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin, "Support");
    const refund = (
      await customerWritesIn(inbox.widgetKey, "I want a refund for my broken kettle", {
        name: "Cara Jones",
        email: "cara@x.test",
      })
    ).conversationId;
    const other = (
      await customerWritesIn(inbox.widgetKey, "How do I reset my password?", { name: "Dan Smith", email: "dan@y.test" })
    ).conversationId;
    await postMessage(admin.as, other, { kind: "note", body: "Checked the refunds ledger, nothing pending" });
    const started = await json(
      admin.as,
      "/api/conversations",
      {
        body: {
          inboxId: inbox.id,
          contact: { email: "eve@z.test" },
          subject: "Kettle recall",
          body: "About your kettle",
        },
      },
      201,
    );

    const hits = await json(admin.as, "/api/search?q=refu");
    expect(hits.items.map((h: { id: string }) => h.id).sort()).toEqual([refund, other].sort());
    const byId = Object.fromEntries(hits.items.map((h: { id: string; matchKind: string; match: string }) => [h.id, h]));
    expect(byId[refund]).toMatchObject({
      matchKind: "customer",
      match: "I want a <mark>refund</mark> for my broken kettle",
    });
    expect(byId[other]).toMatchObject({ matchKind: "note", match: expect.stringContaining("<mark>refunds</mark>") });

    expect((await json(admin.as, "/api/search?q=kettle recall")).items.map((h: { id: string }) => h.id)).toEqual([
      started.id,
    ]);
    expect((await json(admin.as, "/api/search?q=dan@y")).items).toMatchObject([{ id: other, matchKind: "contact" }]);
    expect((await json(admin.as, "/api/search?q=zzzz")).items).toEqual([]);
  });

  it("respects access: agents only find conversations in inboxes they can see", async () => {
    const { admin } = await setUpWorkspace();
    const support = await createInbox(admin, "Support");
    const billing = await createInbox(admin, "Billing");
    const ana = await addUser(admin, "agent", "Ana Agent");
    await grant(admin, support.id, ana, "view");
    const visible = (await customerWritesIn(support.widgetKey, "invoice question", { name: "A", email: "a@x.test" }))
      .conversationId;
    await customerWritesIn(billing.widgetKey, "invoice dispute", { name: "B", email: "b@x.test" });
    expect((await json(ana.as, "/api/search?q=invoice")).items.map((h: { id: string }) => h.id)).toEqual([visible]);
    expect((await json(admin.as, "/api/search?q=invoice")).items).toHaveLength(2);
    expect((await call(null, "/api/search?q=invoice")).status).toBe(401);
    expect((await call(ana.as, "/api/search?q=")).status).toBe(400);
  });

  it("keeps FTS syntax and markup out: user text is quoted, snippets are escaped", () => {
    expect(ftsQuery('refund OR "x" NEAR(')).toBe('"refund"* AND "OR"* AND "x"* AND "NEAR"*');
    expect(ftsQuery("   ")).toBeNull();
    expect(highlight("<b>\u0001x\u0002</b>")).toBe("&lt;b&gt;<mark>x</mark>&lt;/b&gt;");
  });
});
