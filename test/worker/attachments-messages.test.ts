/**
 * Files on messages: the room links uploads to items (same author, unused,
 * inside their day, at most 10), items carry them everywhere they travel,
 * and each reader downloads only what they may see of the item.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_ATTACHMENTS_PER_MESSAGE } from "../../worker/contract";
import {
  agentWith,
  call,
  countRows,
  customerSees,
  expectError,
  expectStatus,
  type As,
  grant,
  json,
  postMessage,
  startConversation,
  supportTeam,
  timeline,
  twoAgentsAndACustomer,
} from "./helpers";
import { bytes, PNG, upload } from "./files";
import { openRoom, openWidget } from "./sockets";

/** An agent's upload, stored (201). */
const stored = (as: As, inboxId: string, name = "shot.png", body: Uint8Array = PNG, type = "image/png") =>
  expectStatus(upload(as, inboxId, body, name, type), 201);

function customerUpload(token: string, conversationId: string, name: string, body: Uint8Array, type: string) {
  const path = `/api/widget/conversations/${conversationId}/attachments?name=${encodeURIComponent(name)}` as const;
  return expectStatus(call({ bearer: token }, path, { body, headers: { "content-type": type } }), 201);
}

const customerPost = (token: string, conversationId: string, body: Record<string, unknown>) =>
  call({ bearer: token }, `/api/widget/conversations/${conversationId}/messages`, { body });

/** A download with no credentials at all: what an `<img src>` in the widget sends. */
const anonymous = (url: string) => call(null, url as `/api/attachments/${string}`);

describe("attachments on messages", () => {
  it("sends a screenshot-only reply: the item carries it everywhere, each reader downloads by their rights", async () => {
    const { admin, inbox, ana, conversationId, contactToken } = await twoAgentsAndACustomer();
    const [viewer, outsider] = await Promise.all([
      agentWith(admin, inbox.id, "view"),
      agentWith(admin, inbox.id, "none"),
    ]);
    const watching = await openRoom(conversationId, viewer.as);
    const widget = await openWidget(conversationId, contactToken);
    const shot = await stored(ana.as, inbox.id);

    const item = await expectStatus(
      postMessage(ana.as, conversationId, { kind: "reply", body: "", attachmentIds: [shot.id] }),
      201,
    );
    const carried = { id: shot.id, name: "shot.png", size: PNG.byteLength, contentType: "image/png" };
    expect(item.attachments).toEqual([{ ...carried, url: `/api/attachments/${shot.id}` }]);
    expect((await watching.next("item")).item.attachments).toEqual(item.attachments);
    expect((await timeline(viewer.as, conversationId)).items.at(-1)!.attachments).toEqual(item.attachments);
    // The list's line names the file when the message has no text.
    expect((await json(ana.as, `/api/conversations/${conversationId}`)).preview).toBe("📎 shot.png");

    for (const reader of [ana, viewer, admin]) expect((await call(reader.as, shot.url)).status).toBe(200);
    await expectError(call(outsider.as, shot.url), 404, "not_found");
    expect((await call({ bearer: contactToken }, shot.url)).status).toBe(200);

    // The customer's copies are signed: they load in an <img> with no credentials.
    const live = (await widget.next("item")).item.attachments![0]!;
    const fetched = (await customerSees(contactToken, conversationId)).items.at(-1)!.attachments![0]!;
    const later = await openWidget(conversationId, contactToken);
    const replayed = (await later.next("item")).item.attachments![0]!;
    later.close();
    for (const file of [live, fetched, replayed]) {
      expect(file).toMatchObject(carried);
      expect(file.url).toMatch(new RegExp(`^/api/attachments/${shot.id}\\?exp=\\d+&sig=[\\w-]{43}$`));
      const res = await anonymous(file.url);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
    }
    watching.close();
    widget.close();
  });

  it("refuses a signed URL that was altered, moved to another file, or has expired", async () => {
    const { inbox, ana, conversationId, contactToken } = await twoAgentsAndACustomer();
    const [a, b] = [await stored(ana.as, inbox.id, "a.png"), await stored(ana.as, inbox.id, "b.png")];
    await expectStatus(
      postMessage(ana.as, conversationId, { kind: "reply", body: "two", attachmentIds: [a.id, b.id] }),
      201,
    );
    const [signedA, signedB] = (await customerSees(contactToken, conversationId)).items.at(-1)!.attachments!;
    const query = new URL(signedA!.url, "http://x").search;
    const expired = new URLSearchParams(query);
    expired.set("exp", String(Math.floor(Date.now() / 1000) - 1));

    for (const url of [
      // One character of the signature changed (its last carries spare bits: every spelling but ours is refused).
      signedA!.url.replace(/sig=(.)/, (_, c: string) => `sig=${c === "A" ? "B" : "A"}`),
      signedA!.url.replace(/.$/, (c) => (c === "A" ? "B" : "A")),
      `/api/attachments/${b.id}${query}`,
      `/api/attachments/${a.id}?${expired}`,
      `/api/attachments/${a.id}?exp=${expired.get("exp")}`,
    ]) {
      await expectError(anonymous(url), 404, "not_found");
    }
    expect((await anonymous(signedB!.url)).status).toBe(200);
  });

  it("keeps a note's file from the customer, by token and by URL", async () => {
    const { inbox, ana, conversationId, contactToken } = await twoAgentsAndACustomer();
    const widget = await openWidget(conversationId, contactToken);
    const memo = await stored(ana.as, inbox.id, "internal.txt", bytes("margin is 80%"), "text/plain");
    const noteItem = await expectStatus(
      postMessage(ana.as, conversationId, { kind: "note", body: "for us", attachmentIds: [memo.id] }),
      201,
    );
    expect(noteItem.attachments?.map((f) => f.id)).toEqual([memo.id]);
    await expectError(call({ bearer: contactToken }, memo.url), 404, "not_found");
    await expectError(anonymous(memo.url), 401, "unauthenticated");
    expect(JSON.stringify(await customerSees(contactToken, conversationId))).not.toContain(memo.id);
    // A later reply reaches the widget; the note before it never did.
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "on it" }), 201);
    expect((await widget.next("item")).item.body).toBe("on it");
    expect(widget.pending("item")).toEqual([]);
    widget.close();
  });

  it("takes a customer's file in the widget; the team sees it, another customer never does", async () => {
    const { admin, inbox } = await supportTeam();
    const cara = await startConversation(inbox.widgetKey);
    const dan = await startConversation(inbox.widgetKey, "Me too", { name: "Dan" });
    const agentSide = await openRoom(cara.id, admin.as);
    const pdf = await customerUpload(cara.contactToken, cara.id, "receipt.pdf", bytes("%PDF-1.7"), "application/pdf");
    const posted = await expectStatus(
      customerPost(cara.contactToken, cara.id, { body: "here it is", attachmentIds: [pdf.id] }),
      201,
    );
    expect(posted.attachments![0]!.url).toMatch(/\?exp=\d+&sig=/);
    const seen = (await agentSide.next("item")).item;
    expect(seen).toMatchObject({ kind: "customer", attachments: [{ id: pdf.id, url: `/api/attachments/${pdf.id}` }] });
    const download = await call(admin.as, pdf.url);
    expect(download.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''receipt.pdf");
    expect(await download.text()).toBe("%PDF-1.7");
    await expectError(call({ bearer: dan.contactToken }, pdf.url), 404, "not_found");
    // Dan cannot carry Cara's upload into his own conversation either.
    await expectError(
      customerPost(dan.contactToken, dan.id, { body: "", attachmentIds: [pdf.id] }),
      400,
      "validation_failed",
    );
    agentSide.close();
  });

  it("refuses uploads that are not the author's, already sent, expired, repeated or too many — writing nothing", async () => {
    const { inbox, ana, ben, conversationId, contactToken } = await twoAgentsAndACustomer();
    const mine = await stored(ana.as, inbox.id, "mine.png");
    const bens = await stored(ben.as, inbox.id, "bens.png");
    const old = await stored(ana.as, inbox.id, "old.png");
    await env.DB.prepare("UPDATE attachments SET created_at = ? WHERE id = ?")
      .bind(Date.now() - 23.5 * 3600_000, old.id)
      .run();
    const many = await Promise.all(
      Array.from({ length: MAX_ATTACHMENTS_PER_MESSAGE + 1 }, (_, i) => stored(ana.as, inbox.id, `${i}.png`)),
    );
    const before = (await timeline(ana.as, conversationId)).lastSeq;
    const refused = async (attachmentIds: string[], says: RegExp) => {
      const error = await expectError(
        postMessage(ana.as, conversationId, { kind: "reply", body: "x", attachmentIds }),
        400,
        "validation_failed",
      );
      expect(JSON.stringify(error)).toMatch(says);
    };
    await refused([bens.id], /No upload/);
    await refused(["at_doesnotexist"], /No upload/);
    await refused([old.id], /expired/);
    await refused([mine.id, mine.id], /twice/);
    await refused(
      many.map((f) => f.id),
      /10/,
    );
    await expectError(postMessage(ana.as, conversationId, { kind: "reply", body: "  " }), 400, "validation_failed");
    expect((await timeline(ana.as, conversationId)).lastSeq).toBe(before);

    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "", attachmentIds: [mine.id] }), 201);
    await refused([mine.id], /already on a message/);
    // A customer cannot send an agent's upload.
    await expectError(
      customerPost(contactToken, conversationId, { body: "", attachmentIds: [bens.id] }),
      400,
      "validation_failed",
    );
    expect((await timeline(ana.as, conversationId)).lastSeq).toBe(before + 1);
  });

  it("links an upload to one message only when two conversations take it at the same moment", async () => {
    const { admin, inbox } = await supportTeam();
    const [one, two] = await Promise.all([
      startConversation(inbox.widgetKey, "one"),
      startConversation(inbox.widgetKey, "two", { name: "Dee" }),
    ]);
    const file = await stored(admin.as, inbox.id);
    const results = await Promise.all(
      [one.id, two.id].map((id) => postMessage(admin.as, id, { kind: "note", body: "see", attachmentIds: [file.id] })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 400]);
    const lastSeqs = await Promise.all([one.id, two.id].map(async (id) => (await timeline(admin.as, id)).lastSeq));
    expect(lastSeqs.sort()).toEqual([1, 2]);
    const row = await env.DB.prepare("SELECT conversation_id, item_seq FROM attachments WHERE id = ?")
      .bind(file.id)
      .first<{ conversation_id: string; item_seq: number }>();
    expect(row!.item_seq).toBe(2);
    // Whichever room read it as unused first, D1 itself refuses a second link.
    const elsewhere = row!.conversation_id === one.id ? two.id : one.id;
    await expect(
      env.DB.prepare("UPDATE attachments SET conversation_id = ?, item_seq = 9 WHERE id = ?")
        .bind(elsewhere, file.id)
        .run(),
    ).rejects.toThrow(/attachment already linked/);
    expect((await timeline(admin.as, row!.conversation_id)).items[1]!.attachments?.map((f) => f.id)).toEqual([file.id]);
  });

  it("replays a retried message with its files, linking them once", async () => {
    const { inbox, ana, conversationId } = await twoAgentsAndACustomer();
    const file = await stored(ana.as, inbox.id);
    const send = () =>
      postMessage(
        ana.as,
        conversationId,
        { kind: "reply", body: "", attachmentIds: [file.id] },
        { "idempotency-key": "k-1" },
      );
    const first = await expectStatus(send(), 201);
    const again = await expectStatus(send(), 201);
    expect(again).toEqual(first);
    expect((await timeline(ana.as, conversationId)).lastSeq).toBe(first.seq);
  });

  it("follows the conversation: a move to another inbox, or access taken away, closes its files", async () => {
    const { admin, inbox, ana, conversationId } = await twoAgentsAndACustomer();
    const other = await json(admin.as, "/api/inboxes", { body: { name: "Billing", channel: "chat" } }, 201);
    await grant(admin, other.id, ana, "reply");
    const viewer = await agentWith(admin, inbox.id, "view");
    const file = await stored(ana.as, inbox.id);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "note", body: "", attachmentIds: [file.id] }), 201);
    expect((await call(viewer.as, file.url)).status).toBe(200);

    await expectStatus(
      call(ana.as, `/api/conversations/${conversationId}`, { method: "PATCH", body: { inboxId: other.id } }),
      200,
    );
    await expectError(call(viewer.as, file.url), 404, "not_found");
    await grant(admin, other.id, viewer, "view");
    expect((await call(viewer.as, file.url)).status).toBe(200);
    await expectStatus(call(admin.as, `/api/inboxes/${other.id}/access/${viewer.id}`, { method: "DELETE" }), 204);
    await expectError(call(viewer.as, file.url), 404, "not_found");
  });

  it("starts a conversation with a file, and refuses a bad one before creating anything", async () => {
    const { admin, inbox } = await supportTeam();
    const guide = await stored(admin.as, inbox.id, "guide.pdf", bytes("%PDF guide"), "application/pdf");
    const counts = async () => [await countRows("conversations"), await countRows("contacts")];
    const before = await counts();
    await expectError(
      call(admin.as, "/api/conversations", {
        body: { inboxId: inbox.id, contact: { email: "new@example.com" }, body: "", attachmentIds: ["at_nope"] },
      }),
      400,
      "validation_failed",
    );
    expect(await counts()).toEqual(before);
    const start = () =>
      call(admin.as, "/api/conversations", {
        body: { inboxId: inbox.id, contact: { email: "new@example.com" }, body: "", attachmentIds: [guide.id] },
        headers: { "idempotency-key": "start-with-guide" },
      });
    const started = await expectStatus(start(), 201);
    // A retry finds the same conversation: its file was taken by the first try, not by another message.
    expect((await expectStatus(start(), 201)).id).toBe(started.id);
    // Another start with the same file is refused before its contact is made.
    const afterFirst = await counts();
    await expectError(
      call(admin.as, "/api/conversations", {
        body: { inboxId: inbox.id, contact: { email: "other@example.com" }, body: "", attachmentIds: [guide.id] },
      }),
      400,
      "validation_failed",
    );
    expect(await counts()).toEqual(afterFirst);
    const first = (await timeline(admin.as, started.id)).items[0]!;
    expect(first).toMatchObject({ kind: "reply", body: "", attachments: [{ id: guide.id, name: "guide.pdf" }] });
  });

  it("shows a paperclip on search hits whose conversation holds files", async () => {
    const { inbox, ana, conversationId } = await twoAgentsAndACustomer();
    const plain = await startConversation(inbox.widgetKey, "invoice without files", { name: "Eve" });
    const file = await stored(ana.as, inbox.id);
    await expectStatus(postMessage(ana.as, conversationId, { kind: "reply", body: "", attachmentIds: [file.id] }), 201);
    const hits = await json(ana.as, "/api/search?q=invoice");
    const flags = Object.fromEntries(hits.items.map((h) => [h.id, h.hasAttachments]));
    expect(flags).toEqual({ [conversationId]: true, [plain.id]: false });
  });
});
