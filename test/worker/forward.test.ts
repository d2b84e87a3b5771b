/**
 * Forwarding a conversation by email (SPEC §6.7): the mail that leaves, the
 * `forwarded` event, the checks before anything is written, and the answers
 * that come back as notes for the team only.
 */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../worker/db/client";
import { replyEmail } from "../../worker/email/outbound";
import { getConversationRoom } from "../../worker/rooms/conversation-room";
import { contentRefusal, headerRefusal } from "../../worker/email/send-rules";
import {
  call,
  customerSees,
  expectError,
  expectStatus,
  inOneWindow,
  json,
  note,
  type Person,
  reply,
  rowCounts,
  timeline,
  twoAgentsAndACustomer,
  agentWith,
} from "./helpers";
import { deliverEmail, emailInbox, mail, recordingEmail, runSweep } from "./mail";
import { openRoom, openWidget } from "./sockets";
import { describeEvent, FORWARDS_PER_HOUR, ForwardRecipients, type Item } from "../../worker/contract";
import { PNG, upload } from "./files";

const forward = (as: Person["as"], id: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  call(as, `/api/conversations/${id}/forward`, { body, headers });

const sentForward = (conversationId: string) =>
  env.DB.prepare(
    "SELECT id, status, attempts, message_id AS messageId FROM outbox WHERE conversation_id = ? AND kind = 'forward'",
  )
    .bind(conversationId)
    .all<{ id: string; status: string; attempts: number; messageId: string | null }>()
    .then((r) => r.results);

/** A chat conversation with a customer message, a reply and a note, in that order. */
async function busyConversation() {
  const team = await twoAgentsAndACustomer();
  const { ana, conversationId: id } = team;
  await expectStatus(reply(ana.as, id, "We are looking into it <b>now</b> & soon."), 201);
  await expectStatus(note(ana.as, id, "Finance must refund 42 EUR"), 201);
  return team;
}

/**
 * The forward written by the room alone, as if the worker stopped right after
 * the commit: only the sweep sends it then, and the test sees what it hands over.
 */
async function forwardViaRoom(
  ana: Person,
  id: string,
  input: { to: string[]; includeNotes: boolean; message?: string },
) {
  const outboxId = `ob_test_${crypto.randomUUID()}`;
  const result = await getConversationRoom(env, id).forward(
    id,
    { ...input, outboxId },
    { type: "user", id: ana.id, name: ana.name },
  );
  if (!result.ok) throw new Error(result.error.message);
  return { outboxId, item: result.value.item };
}

async function sweepAndRecord(to: string) {
  const { handed, recording } = recordingEmail();
  await runSweep(Date.now() + 24 * 60 * 60_000, recording);
  return handed.filter((m) => JSON.stringify(m.to).includes(to));
}

describe("forwarding a conversation by email", () => {
  it("records a forwarded event naming the recipients and sends the thread at once, once", async () => {
    const { ana, conversationId: id } = await busyConversation();
    const item = await json(
      ana.as,
      `/api/conversations/${id}/forward`,
      {
        body: { to: ["Alex@Finance.example", "alex@finance.example", "bo@legal.example"], message: "Can you refund?" },
        headers: { "Idempotency-Key": "fwd-1" },
      },
      201,
    );
    expect(item).toMatchObject({
      kind: "event",
      author: { type: "user", id: ana.id, name: ana.name },
      event: {
        type: "forwarded",
        to: ["alex@finance.example", "bo@legal.example"],
        includeNotes: false,
        message: "Can you refund?",
      },
    });
    const { items } = await timeline(ana.as, id);
    expect(items.at(-1)).toEqual(item);
    // How the timeline (and a follower's notification) reads it.
    expect(describeEvent(item.event!, ana.name)).toBe(
      `${ana.name} forwarded this conversation to alex@finance.example, bo@legal.example: “Can you refund?”`,
    );
    // The retry returns the first event and queues nothing more.
    const again = await json(
      ana.as,
      `/api/conversations/${id}/forward`,
      { body: { to: ["bo@legal.example"] }, headers: { "Idempotency-Key": "fwd-1" } },
      201,
    );
    expect(again.seq).toBe(item.seq);
    await vi.waitFor(async () => expect(await sentForward(id)).toMatchObject([{ status: "sent", attempts: 1 }]));
    expect((await sentForward(id))[0]!.messageId).toMatch(/.+/);
    // The earlier recipients are suggested, the most used first.
    const suggested = ForwardRecipients.parse(await json(ana.as, "/api/conversations/forward-recipients?q=FIN"));
    expect(suggested.items.map((r) => r.email)).toEqual(["alex@finance.example"]);
  });

  it("mails the thread oldest first in text and escaped HTML, without notes unless asked, from the sender address", async () => {
    const { ana, conversationId: id } = await busyConversation();
    await forwardViaRoom(ana, id, { to: ["alex@finance.example"], includeNotes: false, message: "Please check" });
    const [plain] = await sweepAndRecord("alex@finance.example");
    expect(plain).toBeDefined();
    expect(plain!.to).toEqual(["alex@finance.example"]);
    expect(plain!.subject).toBe("Fwd: Conversation with Cara Customer");
    // A chat inbox has no address: from Switchboard's sender, answers to a reply address naming the forward.
    expect(plain!.from).toEqual({ email: env.EMAIL_FROM, name: `${ana.name} (Support)` });
    expect(plain!.replyTo).toMatch(/^notifications\+fwd-ob_test_[\w-]+@switchboard\.example$/);
    // Its own thread: nothing ties it to the customer's.
    expect(plain!.headers?.["In-Reply-To"]).toBeUndefined();
    expect(headerRefusal(plain!.headers)).toBeNull();
    expect(contentRefusal(plain!)).toBeNull();
    const text = plain!.text!;
    expect(text.startsWith("Please check")).toBe(true);
    const customerAt = text.indexOf("Hello, my invoice looks wrong");
    const replyAt = text.indexOf("We are looking into it <b>now</b> & soon.");
    expect(customerAt).toBeGreaterThan(0);
    expect(replyAt).toBeGreaterThan(customerAt); // newest last
    expect(text).toContain("Cara Customer ·");
    expect(text).toContain(`${ana.name} (reply) ·`);
    expect(text).not.toContain("Finance must refund");
    expect(plain!.html).toContain("We are looking into it &lt;b&gt;now&lt;/b&gt; &amp; soon.");
    expect(plain!.html).not.toContain("<b>now</b>");
    expect(plain!.html).not.toContain("Finance must refund");

    await forwardViaRoom(ana, id, { to: ["notes@finance.example"], includeNotes: true });
    const [withNotes] = await sweepAndRecord("notes@finance.example");
    expect(withNotes!.text).toContain(`${ana.name} (internal note) ·`);
    expect(withNotes!.text!.indexOf("Finance must refund")).toBeGreaterThan(
      withNotes!.text!.indexOf("We are looking into it"),
    );
    expect(withNotes!.html).toContain("Finance must refund 42 EUR");
    // Events never go: not even the first forward.
    expect(withNotes!.text).not.toContain("forwarded this conversation");
  });

  it("refuses bad input and no access without writing anything; ten addresses are fine", async () => {
    const { admin, inbox, ana, conversationId: id } = await busyConversation();
    const outsider = await agentWith(admin, inbox.id, "none", "Olga Outsider");
    const noter = await agentWith(admin, inbox.id, "note", "Nia Noter");
    const before = await rowCounts("timeline_items", "outbox", "forward_recipients", "rate_limits");
    const eleven = Array.from({ length: 11 }, (_, i) => `p${i}@x.example`);
    for (const body of [
      { to: [] },
      { to: eleven },
      { to: ["not-an-address"] },
      { to: ["a@x.example\r\nBcc: evil@x.example"] },
      { to: ["a@x.example"], message: "x".repeat(5001) },
      { to: ["a@x.example"], includeNotes: "yes" },
      { to: ["a@x.example"], cc: ["b@x.example"] },
    ]) {
      await expectError(forward(ana.as, id, body), 400, "validation_failed");
    }
    const issue = await expectError(forward(ana.as, id, { to: ["ok@x.example", "nope"] }), 400, "validation_failed");
    expect(issue.details).toEqual([expect.objectContaining({ path: ["to", "1"] })]);
    await expectError(forward(outsider.as, id, { to: ["a@x.example"] }), 404, "not_found");
    await expectError(forward(ana.as, "cv_missing", { to: ["a@x.example"] }), 404, "not_found");
    await expectError(forward(noter.as, id, { to: ["a@x.example"] }), 403, "forbidden");
    expect(await rowCounts("timeline_items", "outbox", "forward_recipients", "rate_limits")).toEqual(before);
    // Ten is fine.
    await expectStatus(forward(ana.as, id, { to: eleven.slice(0, 10) }), 201);
    await vi.waitFor(async () => expect(await sentForward(id)).toMatchObject([{ status: "sent" }]));
  });

  it("limits how often one agent forwards, with 429 in the error shape", async () => {
    const { ana, ben, conversationId: id } = await twoAgentsAndACustomer();
    await inOneWindow(60 * 60_000, async () => {
      for (let i = 0; i < FORWARDS_PER_HOUR; i++)
        await expectStatus(forward(ana.as, id, { to: [`r${i}@x.example`] }), 201);
      const before = await rowCounts("timeline_items", "outbox");
      const res = await forward(ana.as, id, { to: ["late@x.example"] });
      expect(res.headers.get("Retry-After")).toMatch(/^\d+$/);
      await expectError(res, 429, "rate_limited");
      expect(await rowCounts("timeline_items", "outbox")).toEqual(before);
      // Another agent has a limit of their own.
      await expectStatus(forward(ben.as, id, { to: ["other@x.example"] }), 201);
    });
    await vi.waitFor(async () => expect((await sentForward(id)).every((r) => r.status === "sent")).toBe(true));
  });

  it("sends a forward the sweep finds after a failed try, once", async () => {
    const { ana, conversationId: id } = await busyConversation();
    await forwardViaRoom(ana, id, { to: ["retry@finance.example"], includeNotes: false });
    const failing = { ...env, EMAIL: { send: () => Promise.reject(new Error("E_INTERNAL_SERVER_ERROR: try later")) } };
    const now = Date.now();
    await runSweep(now, failing as unknown as Env);
    expect(await sentForward(id)).toMatchObject([{ status: "pending", attempts: 1, messageId: null }]);
    const { handed, recording } = recordingEmail();
    await runSweep(now + 30_000, recording); // back-off: not due yet
    expect(handed).toEqual([]);
    await runSweep(now + 10 * 60_000, recording);
    await runSweep(now + 60 * 60_000, recording);
    expect(handed.filter((m) => JSON.stringify(m.to).includes("retry@finance.example"))).toHaveLength(1);
    expect(await sentForward(id)).toMatchObject([{ status: "sent", attempts: 2 }]);
  });

  it("carries the thread's files as parts when they fit, with the agent's own file name", async () => {
    const { ana, inbox, conversationId: id } = await twoAgentsAndACustomer();
    const file = await expectStatus(upload(ana.as, inbox.id, PNG, "receipt.png", "image/png"), 201);
    await expectStatus(reply(ana.as, id, "Here is the receipt", { attachmentIds: [file.id] }), 201);
    await forwardViaRoom(ana, id, { to: ["files@finance.example"], includeNotes: false });
    const [sent] = await sweepAndRecord("files@finance.example");
    expect(sent!.attachments).toEqual([
      { disposition: "attachment", filename: "receipt.png", type: "image/png", content: expect.any(String) },
    ]);
    expect(sent!.text).toContain("Attachment: receipt.png (attached)");
    expect(contentRefusal(sent!)).toBeNull();
  });
});

describe("an answer to a forward", () => {
  /** A chat conversation forwarded to Alex, sent; with the forward's Message-ID. */
  async function forwarded() {
    const team = await busyConversation();
    const { ana, conversationId: id } = team;
    await expectStatus(forward(ana.as, id, { to: ["alex@finance.example"] }), 201);
    await vi.waitFor(async () => expect((await sentForward(id))[0]).toMatchObject({ status: "sent" }));
    const [row] = await sentForward(id);
    return { ...team, forwardId: row!.messageId!, outboxId: row!.id };
  }

  const answer = (forwardId: string, from: string, messageId: string, body = "Refunded, ref 991.") =>
    mail(
      {
        From: `Alex <${from}>`,
        To: env.EMAIL_FROM,
        Subject: "Re: Fwd: Conversation with Cara Customer",
        "Message-ID": `<${messageId}>`,
        "In-Reply-To": `<${forwardId}>`,
        References: `<${forwardId}>`,
      },
      `${body}\n\nOn Monday, Ana wrote:\n> the thread`,
    );

  it("becomes one internal note from that address, unseen by the customer, and notifies the forwarder", async () => {
    const { ana, ben, conversationId: id, contactToken, forwardId } = await forwarded();
    // Resolved meanwhile: an answer is the team's business and must not reopen it.
    await json(ana.as, `/api/conversations/${id}`, { method: "PATCH", body: { status: "resolved" } });
    const { lastSeq } = await timeline(ana.as, id);
    const widget = await openWidget(id, contactToken, lastSeq);
    const room = await openRoom(id, ben.as, lastSeq);

    const raw = answer(forwardId, "alex@finance.example", "answer-1@finance.example");
    expect(await deliverEmail(raw, env.EMAIL_FROM)).toEqual([]);
    expect(await deliverEmail(raw, env.EMAIL_FROM)).toEqual([]); // delivered twice
    const noteFrame = await room.next("item");
    expect(noteFrame.item).toMatchObject({
      kind: "note",
      author: { type: "system", name: "alex@finance.example via email" },
      body: "Refunded, ref 991.",
    });
    const { items } = await timeline(ana.as, id);
    expect(items.filter((i: Item) => i.kind === "note" && i.author.name.includes("via email"))).toHaveLength(1);
    expect(
      items.some((i: { kind: string; body: string }) => i.kind === "customer" && i.body.includes("Refunded")),
    ).toBe(false);
    // The conversation's state is the team's business: not reopened, not changed.
    expect((await json(ana.as, `/api/conversations/${id}`)).status).toBe("resolved");

    // The customer never sees it: not in the widget's thread, not on their socket (the next reply arrives first).
    const customerView = await customerSees(contactToken, id);
    expect(JSON.stringify(customerView)).not.toContain("Refunded");
    const later = await expectStatus(reply(ana.as, id, "All sorted."), 201);
    const seen = await widget.next("item");
    expect(seen.item.seq).toBe(later.seq);
    expect(JSON.stringify(widget.frames)).not.toContain("Refunded");

    // Ana forwarded it: she hears of the answer.
    const notices = await json(ana.as, "/api/notifications");
    expect(notices.items).toContainEqual(
      expect.objectContaining({
        kind: "forward",
        conversationId: id,
        actor: { id: null, name: "alex@finance.example via email" },
      }),
    );
    widget.close();
    room.close();
  });

  it("keeps the answer's files on the note: agents download them, the customer never sees them", async () => {
    const { ana, conversationId: id, contactToken, forwardId } = await forwarded();
    const base64 = btoa(String.fromCharCode(...PNG));
    const raw = [
      "MIME-Version: 1.0",
      "From: Alex <alex@finance.example>",
      `To: ${env.EMAIL_FROM}`,
      "Subject: Re: Fwd",
      "Message-ID: <answer-with-file@finance.example>",
      `In-Reply-To: <${forwardId}>`,
      'Content-Type: multipart/mixed; boundary="mix"',
      "",
      "--mix",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "The refund receipt is attached.",
      "--mix",
      'Content-Type: image/png; name="refund.png"',
      'Content-Disposition: attachment; filename="refund.png"',
      "Content-Transfer-Encoding: base64",
      "",
      base64,
      "--mix--",
      "",
    ].join("\r\n");
    expect(await deliverEmail(raw, env.EMAIL_FROM)).toEqual([]);
    expect(await deliverEmail(raw, env.EMAIL_FROM)).toEqual([]); // delivered twice: one note, one file
    const { items } = await timeline(ana.as, id);
    const notes = items.filter((i: Item) => i.kind === "note" && i.author.name.includes("via email"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      body: "The refund receipt is attached.",
      attachments: [expect.objectContaining({ name: "refund.png", contentType: "image/png", size: PNG.length })],
    });
    const file = await call(ana.as, notes[0]!.attachments![0]!.url);
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PNG);
    const stored = await env.DB.prepare(
      "SELECT count(*) AS n FROM attachments WHERE conversation_id = ? AND uploader_type = 'email'",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(stored!.n).toBe(1);
    expect(JSON.stringify(await customerSees(contactToken, id))).not.toContain("refund.png");
  });

  it("through the forward's reply address, even without In-Reply-To", async () => {
    const { ana, conversationId: id, outboxId } = await forwarded();
    const to = `notifications+fwd-${outboxId}@switchboard.example`;
    const raw = mail(
      {
        From: "Alex <alex@finance.example>",
        To: to,
        Subject: "Re: Fwd",
        "Message-ID": "<plain-answer@finance.example>",
      },
      "Done from my phone.",
    );
    expect(await deliverEmail(raw, to)).toEqual([]);
    const { items } = await timeline(ana.as, id);
    expect(items.at(-1)).toMatchObject({ kind: "note", body: "Done from my phone." });
  });

  it("counts only from a recipient: anyone else is dropped at the sender address, and never joins the customer's thread", async () => {
    const { ana, conversationId: id, forwardId } = await forwarded();
    const before = (await timeline(ana.as, id)).items.length;
    expect(await deliverEmail(answer(forwardId, "mallory@evil.example", "m1@evil.example"), env.EMAIL_FROM)).toEqual(
      [],
    );
    expect((await timeline(ana.as, id)).items).toHaveLength(before);
    // Mail to an address nobody receives at is still refused.
    expect(
      await deliverEmail(answer(forwardId, "alex@finance.example", "x@y"), "nobody@switchboard.example"),
    ).toHaveLength(1);
  });

  it("in an email inbox: to the inbox's address, a recipient's answer is a note, anyone else's a new conversation", async () => {
    const { admin, inboxId, address } = await emailInbox();
    await deliverEmail(
      mail(
        { From: "Jo <jo@example.com>", To: address, Subject: "Invoice 42", "Message-ID": `<q.${address}>` },
        "Charged twice",
      ),
      address,
    );
    const { items: list } = await json(admin.as, `/api/conversations?inboxId=${inboxId}`);
    const id = list[0]!.id as string;
    await expectStatus(forward(admin.as, id, { to: ["alex@finance.example"] }), 201);
    await vi.waitFor(async () => expect((await sentForward(id))[0]).toMatchObject({ status: "sent" }));
    const forwardId = (await sentForward(id))[0]!.messageId!;

    const asInbox = (from: string, mid: string) =>
      mail(
        {
          From: `<${from}>`,
          To: address,
          Subject: "Re: Fwd: Invoice 42",
          "Message-ID": `<${mid}>`,
          "In-Reply-To": `<${forwardId}>`,
        },
        "Answer",
      );
    await deliverEmail(asInbox("alex@finance.example", `a1.${address}`), address);
    const { items } = await timeline(admin.as, id);
    expect(items.at(-1)).toMatchObject({ kind: "note", author: { name: "alex@finance.example via email" } });
    expect(items.filter((i: { kind: string }) => i.kind === "customer")).toHaveLength(1);

    await deliverEmail(asInbox("eve@else.example", `e1.${address}`), address);
    expect((await timeline(admin.as, id)).items).toHaveLength(items.length);
    const after = (await json(admin.as, `/api/conversations?inboxId=${inboxId}`)).items;
    expect(after).toHaveLength(2);
    expect(after.find((c: { id: string }) => c.id !== id)?.contact.email).toBe("eve@else.example");

    // A reply to the customer later is not threaded to the forward: it answers the customer's own mail.
    const later = await expectStatus(reply(admin.as, id, "Refund on its way"), 201);
    const built = await replyEmail(getDb(env.DB), env.FILES, id, later.seq);
    expect(built?.headers).toEqual({ "In-Reply-To": `<q.${address}>`, References: `<q.${address}>` });
  });
});
