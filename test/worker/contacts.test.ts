/**
 * Contacts (SPEC §6.5): an agent sees a contact only through a conversation in
 * an inbox they see, and only those conversations; the list pages by name; a
 * blocked contact's widget messages and emails create nothing; a merge moves
 * conversations and widget tokens, room by room.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Contacts } from "../../worker/contract";
import {
  agentWith,
  call,
  createInbox,
  customerSees,
  customerWrites,
  expectError,
  expectStatus,
  getConversation,
  json,
  rowCounts,
  setUpWorkspace,
  startConversation,
  supportTeam,
  type As,
} from "./helpers";
import { deliverEmail, emailInbox, mail } from "./mail";

const contactsOf = (as: As, query: Record<string, string | number> = {}) =>
  json(as, `/api/contacts?${new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]))}`);
const profile = (as: As, id: string) => json(as, `/api/contacts/${id}`);
const edit = (as: As, id: string, body: Record<string, unknown>) =>
  call(as, `/api/contacts/${id}`, { method: "PATCH", body });
const mergeContacts = (as: As, id: string, intoContactId: string) =>
  call(as, `/api/contacts/${id}/merge`, { body: { intoContactId } });

/** Every contact matching `q`, read page by page (each at most `limit`) through the cursors. */
async function everyPage(as: As, q: string, limit: number) {
  const items: { name: string | null; email: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const page: Contacts = await contactsOf(as, { q, limit, ...(cursor ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** An agent starts a conversation with the person at `email` (one contact per verified address). */
async function agentStarts(as: As, inboxId: string, email: string, subject: string, name?: string) {
  const started = await json(
    as,
    "/api/conversations",
    { body: { inboxId, contact: { name, email }, subject, body: `About ${subject}` } },
    201,
  );
  return started as { id: string; contact: { id: string } };
}

/** Two inboxes; Dana writes to both, Eve only to Billing; Ana replies in Support, Bo views Billing. */
async function twoInboxes() {
  const { admin, workspaceId } = await setUpWorkspace();
  const support = await createInbox(admin, "Support");
  const billing = await createInbox(admin, "Billing");
  const ana = await agentWith(admin, support.id, "reply", "Ana Agent");
  const bo = await agentWith(admin, billing.id, "view", "Bo Viewer");
  const cy = await agentWith(admin, support.id, "none", "Cy Nobody");
  const parcel = await agentStarts(admin.as, support.id, "dana@example.com", "Parcel late", "Dana Doe");
  const refund = await agentStarts(admin.as, billing.id, "dana@example.com", "Secret refund");
  const eve = await agentStarts(admin.as, billing.id, "eve@example.com", "Chargeback", "Eve Billing");
  return { admin, workspaceId, support, billing, ana, bo, cy, dana: parcel.contact.id, parcel, refund, eve };
}

describe("who sees a contact", () => {
  it("shows an agent only the conversations, counts and subjects of inboxes they see", async () => {
    const w = await twoInboxes();
    expect(w.refund.contact.id).toBe(w.dana);

    const listed = await contactsOf(w.ana.as, { q: "dana" });
    expect(listed.items).toEqual([
      { id: w.dana, name: "Dana Doe", email: "dana@example.com", blocked: false, conversationCount: 1 },
    ]);
    const seen = await profile(w.ana.as, w.dana);
    expect(seen.conversations.map((c) => c.id)).toEqual([w.parcel.id]);
    expect(JSON.stringify(seen)).not.toContain("Secret refund");
    expect(seen.canEdit).toBe(true);

    const byAdmin = await contactsOf(w.admin.as, { q: "dana" });
    expect(byAdmin.items[0]!.conversationCount).toBe(2);
    expect((await profile(w.admin.as, w.dana)).conversations.map((c) => c.subject)).toEqual([
      "Secret refund",
      "Parcel late",
    ]);
  });

  it("answers 404 for a contact whose conversations are all in inboxes the agent cannot see", async () => {
    const w = await twoInboxes();
    await expectError(call(w.ana.as, `/api/contacts/${w.eve.contact.id}`), 404, "not_found");
    await expectError(edit(w.ana.as, w.eve.contact.id, { name: "Eve" }), 404, "not_found");
    expect((await contactsOf(w.ana.as, { q: "eve" })).items).toEqual([]);
    expect((await contactsOf(w.cy.as)).items).toEqual([]);
    await expectError(call(w.cy.as, `/api/contacts/${w.dana}`), 404, "not_found");
    // Bo sees Billing only: Dana through her refund, never her parcel.
    const bo = await profile(w.bo.as, w.dana);
    expect(bo.conversations.map((c) => c.subject)).toEqual(["Secret refund"]);
    expect(bo.canEdit).toBe(false);
  });
});

describe("the contacts list", () => {
  it("pages through a name or email prefix in a stable order, any case", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const names = Array.from({ length: 30 }, (_, i) => `${i % 2 ? "zed" : "Zed"} ${String(i).padStart(2, "0")}`);
    await env.DB.batch(
      names.map((name, i) =>
        env.DB.prepare("INSERT INTO contacts (id, workspace_id, name, email, created_at) VALUES (?, ?, ?, ?, 0)").bind(
          `ct_zed${i}`,
          workspaceId,
          name,
          `person${String(i).padStart(2, "0")}@zoo.test`,
        ),
      ),
    );
    const seen = (await everyPage(admin.as, "ZED", 7)).map((c) => c.name);
    expect(seen).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));

    // Name matches come first, then contacts matching by email only; pages cross from one to the other.
    await env.DB.prepare(
      "INSERT INTO contacts (id, workspace_id, name, email, created_at) VALUES ('ct_p', ?, 'Person1 Named', 'x@zoo.test', 0)",
    )
      .bind(workspaceId)
      .run();
    const matched = (await everyPage(admin.as, "Person1", 4)).map((c) => c.email);
    expect(matched).toEqual(["x@zoo.test", ...Array.from({ length: 10 }, (_, i) => `person${10 + i}@zoo.test`)]);
    await expectError(call(admin.as, "/api/contacts?cursor=nonsense"), 400, "validation_failed");
  });
});

describe("editing a contact", () => {
  it("takes reply access where they have a conversation; an address an agent enters is verified", async () => {
    const w = await twoInboxes();
    const edited = await expectStatus(
      edit(w.ana.as, w.dana, { name: "Dana D. Doe", email: "Dana.D@Example.com", attributes: { plan: "pro" } }),
      200,
    );
    expect(edited).toMatchObject({
      name: "Dana D. Doe",
      email: "dana.d@example.com",
      emailVerified: true,
      attributes: { plan: "pro" },
    });
    await expectError(edit(w.bo.as, w.dana, { name: "Not allowed" }), 403, "forbidden");
    await expectError(edit(w.ana.as, w.dana, {}), 400, "validation_failed");
    await expectError(edit(w.ana.as, w.dana, { attributes: { plan: 7 } }), 400, "validation_failed");
    expect((await getConversation(w.ana.as, w.parcel.id)).contact.name).toBe("Dana D. Doe");
  });
});

describe("a blocked contact", () => {
  it("has their widget messages refused (403) and nothing written", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Agent");
    const chat = await startConversation(inbox.widgetKey, "Buy cheap watches", { name: "Spammy" });
    const { contact } = await getConversation(ana.as, chat.id);
    expect((await expectStatus(edit(ana.as, contact.id, { blocked: true }), 200)).blocked).toBe(true);
    const before = await rowCounts("timeline_items", "conversations");
    await expectError(customerWrites(chat.contactToken, chat.id, "Buy more"), 403, "forbidden");
    expect(await rowCounts("timeline_items", "conversations")).toEqual(before);
    // Unblocked, they are heard again.
    await expectStatus(edit(ana.as, contact.id, { blocked: false }), 200);
    await expectStatus(customerWrites(chat.contactToken, chat.id, "Sorry, a real question"), 201);
  });

  it("has their emails dropped: no conversation, no item", async () => {
    const { admin, address } = await emailInbox();
    const from = { From: "Mallory <mallory@example.com>", To: address };
    await deliverEmail(mail({ ...from, Subject: "Hello", "Message-ID": "<m1@example.com>" }, "First"), address);
    const [contact] = (await contactsOf(admin.as, { q: "mallory" })).items;
    await expectStatus(edit(admin.as, contact!.id, { blocked: true }), 200);
    const before = await rowCounts("timeline_items", "conversations");
    await deliverEmail(mail({ ...from, Subject: "Again", "Message-ID": "<m2@example.com>" }, "Second"), address);
    expect(await rowCounts("timeline_items", "conversations")).toEqual(before);
  });
});

describe("merging contacts", () => {
  it("moves conversations and tokens; the source's widget opens them; their conversations may then merge", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Agent");
    const first = await startConversation(inbox.widgetKey, "My parcel is late", {
      name: "Cara",
      attributes: { plan: "pro", lang: "en" },
    });
    const second = await startConversation(inbox.widgetKey, "Invoice wrong", {
      name: "Cara Customer",
      email: "cara@example.com",
      attributes: { plan: "free" },
    });
    const source = (await getConversation(ana.as, first.id)).contact.id;
    const target = (await getConversation(ana.as, second.id)).contact.id;
    await expectError(
      call(ana.as, `/api/conversations/${first.id}/merge`, { body: { intoConversationId: second.id } }),
      409,
      "conflict",
    );

    const merged = await expectStatus(mergeContacts(ana.as, source, target), 200);
    expect(merged.remaining).toBe(0);
    expect(merged.contact).toMatchObject({
      id: target,
      name: "Cara Customer",
      email: "cara@example.com",
      attributes: { plan: "free", lang: "en" },
    });
    expect(merged.contact.conversations.map((c) => c.id).sort()).toEqual([first.id, second.id].sort());
    expect((await getConversation(ana.as, first.id)).contact.id).toBe(target);
    // The old id resolves to the target; asking again changes nothing.
    expect((await profile(ana.as, source)).id).toBe(target);
    expect((await expectStatus(mergeContacts(ana.as, source, target), 200)).remaining).toBe(0);
    expect((await contactsOf(ana.as, { q: "cara" })).items.map((c) => c.id)).toEqual([target]);

    // The source's token now opens both conversations, and writes in them.
    expect((await customerSees(first.contactToken, first.id)).items.map((i) => i.body)).toEqual(["My parcel is late"]);
    expect((await customerSees(first.contactToken, second.id)).items.map((i) => i.body)).toEqual(["Invoice wrong"]);
    await expectStatus(customerWrites(first.contactToken, first.id, "Any news?"), 201);

    await expectStatus(
      call(ana.as, `/api/conversations/${first.id}/merge`, { body: { intoConversationId: second.id } }),
      200,
    );
  });

  it("needs reply access wherever the source's conversations are, and refuses itself and a merged source", async () => {
    const w = await twoInboxes();
    const other = await agentStarts(w.admin.as, w.support.id, "dee@example.com", "Hello", "Dee");
    // Dana has a Billing conversation Ana cannot reply in: it would move too.
    await expectError(mergeContacts(w.ana.as, w.dana, other.contact.id), 403, "forbidden");
    await expectError(mergeContacts(w.ana.as, w.dana, w.dana), 400, "validation_failed");
    await expectError(mergeContacts(w.ana.as, other.contact.id, w.eve.contact.id), 404, "not_found");
    await expectStatus(mergeContacts(w.admin.as, other.contact.id, w.dana), 200);
    await expectError(mergeContacts(w.admin.as, other.contact.id, w.eve.contact.id), 409, "conflict");
  });

  it("sends the source's later emails to the target", async () => {
    const { admin, inboxId, address } = await emailInbox();
    const from = { From: "Xena <xena@example.com>", To: address };
    await deliverEmail(mail({ ...from, Subject: "First", "Message-ID": "<x1@example.com>" }, "First mail"), address);
    const [source] = (await contactsOf(admin.as, { q: "xena" })).items;
    const target = await agentStarts(admin.as, inboxId, "xena.work@example.com", "Work", "Xena W");
    await expectStatus(mergeContacts(admin.as, source!.id, target.contact.id), 200);
    await deliverEmail(mail({ ...from, Subject: "Second", "Message-ID": "<x2@example.com>" }, "New thread"), address);
    const profileNow = await profile(admin.as, target.contact.id);
    expect(profileNow.conversations.map((c) => c.subject).sort()).toEqual(["First", "Second", "Work"]);
  });

  it("never makes a cycle: of two merges the other way round at once, one wins and the other is refused", async () => {
    const { admin, inbox } = await supportTeam();
    const a = await agentStarts(admin.as, inbox.id, "a@example.com", "A", "Ann");
    const b = await agentStarts(admin.as, inbox.id, "b@example.com", "B", "Bob");
    const answers = await Promise.all([
      mergeContacts(admin.as, a.contact.id, b.contact.id),
      mergeContacts(admin.as, b.contact.id, a.contact.id),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const { results } = await env.DB.prepare("SELECT id, merged_into FROM contacts WHERE id IN (?, ?)")
      .bind(a.contact.id, b.contact.id)
      .all<{ id: string; merged_into: string | null }>();
    expect(results.filter((r) => r.merged_into === null)).toHaveLength(1);
    const kept = results.find((r) => r.merged_into === null)!.id;
    expect((await getConversation(admin.as, a.id)).contact.id).toBe(kept);
    expect((await getConversation(admin.as, b.id)).contact.id).toBe(kept);
  });

  it("copes with more conversations than D1 binds parameters (120)", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const inbox = await createInbox(admin, "Support");
    const many = await agentStarts(admin.as, inbox.id, "many@example.com", "First", "Many");
    const few = await agentStarts(admin.as, inbox.id, "few@example.com", "Other", "Few");
    await env.DB.batch(
      Array.from({ length: 120 }, (_, i) =>
        env.DB.prepare(
          `INSERT INTO conversations (id, workspace_id, inbox_id, contact_id, subject, status, last_activity_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'resolved', ?, 0, 0)`,
        ).bind(`cv_many${i}`, workspaceId, inbox.id, many.contact.id, `Old ${i}`, 1000 + i),
      ),
    );
    const agent = await agentWith(admin, inbox.id, "reply", "Ana Agent");
    expect((await contactsOf(agent.as, { q: "many" })).items[0]!.conversationCount).toBe(121);
    const page = await profile(agent.as, many.contact.id);
    expect(page.conversations).toHaveLength(20);
    expect(page.nextCursor).not.toBeNull();
    const merged = await expectStatus(mergeContacts(agent.as, many.contact.id, few.contact.id), 200);
    expect(merged.remaining).toBe(0);
    expect((await contactsOf(agent.as, { q: "few" })).items[0]!.conversationCount).toBe(122);
  });
});
