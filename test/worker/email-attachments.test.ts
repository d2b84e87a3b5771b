/** Files by email: inbound parts kept in R2 and on the customer's message, replies sent with theirs as MIME parts. */
import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { MAX_RAW_BYTES } from "../../worker/email/inbound";
import { droppedNote, planFiles } from "../../worker/email/inbound-files";
import { tooLargeForEmail } from "../../worker/email/outbound";
import { contentRefusal, MAX_MESSAGE_BYTES } from "../../worker/email/send-rules";
import { htmlToText } from "../../worker/email/threading";
import { call, expectError, expectStatus, json, type As, type Person, reply, timeline } from "./helpers";
import { bytes, PNG, upload } from "./files";
import { deliverEmail, emailInbox, recordingEmail, runSweep } from "./mail";

/** Every byte value, twice: a file that any text mangling would show. */
const BINARY = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
const CSV = bytes("month,tickets\r\njan,4\r\n");

/** Base64 in 76-character lines, as mail carries files; in chunks of whole 57-byte lines, for big ones. */
function base64(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 57 * 1024) {
    const chunk = btoa(String.fromCharCode(...bytes.subarray(i, i + 57 * 1024)));
    lines.push(chunk.replace(/.{76}(?!$)/g, "$&\r\n"));
  }
  return lines.join("\r\n");
}
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

interface Part {
  type: string;
  bytes: Uint8Array;
  filename?: string;
  contentId?: string;
}

/** A MIME part with its file, base64-encoded as mail clients send files. */
const filePart = (p: Part) =>
  [
    `Content-Type: ${p.type}${p.filename ? `; name="${p.filename}"` : ""}`,
    ...(p.contentId ? [`Content-ID: <${p.contentId}>`] : []),
    `Content-Disposition: ${p.contentId ? "inline" : "attachment"}${p.filename ? `; filename="${p.filename}"` : ""}`,
    "Content-Transfer-Encoding: base64",
    "",
    base64(p.bytes),
  ].join("\r\n");

/** An HTML email (inline images beside it, in multipart/related) with files attached. */
function mailWithFiles(headers: Record<string, string>, html: string, inline: Part[], files: Part[]): string {
  const related = [
    `Content-Type: multipart/related; boundary="rel"`,
    "",
    "--rel",
    "Content-Type: text/html; charset=utf-8",
    "",
    html,
    ...inline.flatMap((p) => ["--rel", filePart(p)]),
    "--rel--",
  ].join("\r\n");
  return [
    ...Object.entries({ "MIME-Version": "1.0", ...headers }).map(([k, v]) => `${k}: ${v}`),
    `Content-Type: multipart/mixed; boundary="mix"`,
    "",
    "--mix",
    related,
    ...files.flatMap((p) => ["--mix", filePart(p)]),
    "--mix--",
    "",
  ].join("\r\n");
}

const from = (address: string, id: string, extra: Record<string, string> = {}) => ({
  From: "Jo Doe <jo@example.com>",
  To: address,
  Subject: "Broken export",
  "Message-ID": `<${id}>`,
  ...extra,
});

const conversationsIn = async (admin: Person, inboxId: string) =>
  (await json(admin.as, `/api/conversations?inboxId=${inboxId}`)).items;

/** The inbox's only conversation. */
const onlyConversation = async (admin: Person, inboxId: string) => (await conversationsIn(admin, inboxId))[0]!;

const itemsOf = async (as: As, id: string) => (await json(as, `/api/conversations/${id}/timeline`)).items;

/** What is stored for an inbox's files: rows in D1 and objects in R2. */
async function storedFor(inboxId: string) {
  const rows = await env.DB.prepare("SELECT id, workspace_id, r2_key FROM attachments WHERE inbox_id = ?")
    .bind(inboxId)
    .all<{ id: string; workspace_id: string; r2_key: string }>();
  const workspace = await env.DB.prepare("SELECT workspace_id FROM inboxes WHERE id = ?")
    .bind(inboxId)
    .first<{ workspace_id: string }>();
  const objects = await env.FILES.list({ prefix: `${workspace!.workspace_id}/` });
  return { rows: rows.results.length, objects: objects.objects.length, keys: rows.results };
}

async function download(as: As, url: string): Promise<Uint8Array> {
  const res = await call(as, url);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

const SCREENSHOT = { type: "image/png", bytes: PNG, filename: "screen.png", contentId: "shot.1@mail.example.com" };
const INVOICE = { type: "application/pdf", bytes: BINARY, filename: "invoice.pdf" };
const USAGE = { type: "text/csv", bytes: CSV, filename: "usage.csv" };
const HTML =
  '<p>The export fails, see:</p><img src="cid:shot.1@mail.example.com" alt="shot">' +
  '<p>Invoice attached.</p><img src="https://tracker.example/open.gif" width="1">';

describe("inbound email with files", () => {
  it("keeps two attachments and an inline image on the customer's message; agents download them intact", async () => {
    const { admin, inboxId, address } = await emailInbox();
    const raw = mailWithFiles(from(address, "files.1@example.com"), HTML, [SCREENSHOT], [INVOICE, USAGE]);
    expect(await deliverEmail(raw, address)).toEqual([]);

    const conversation = await onlyConversation(admin, inboxId);
    const message = (await itemsOf(admin.as, conversation.id))[0]!;
    expect(message.kind).toBe("customer");
    // The HTML's inline image leaves a marker; the remote one is never fetched and leaves nothing.
    expect(message.body).toBe("The export fails, see:\n[image: screen.png]\nInvoice attached.");
    expect(message.attachments).toEqual([
      expect.objectContaining({ name: "screen.png", contentType: "image/png", size: PNG.byteLength }),
      expect.objectContaining({ name: "invoice.pdf", contentType: "application/pdf", size: BINARY.byteLength }),
      expect.objectContaining({ name: "usage.csv", contentType: "text/csv", size: CSV.byteLength }),
    ]);
    const [shot, invoice, usage] = message.attachments!;
    expect(await download(admin.as, shot!.url)).toEqual(PNG);
    expect(await download(admin.as, invoice!.url)).toEqual(BINARY);
    expect(await download(admin.as, usage!.url)).toEqual(CSV);
  });

  it("stores nothing twice when the same email is delivered again, new or in a thread", async () => {
    const { admin, inboxId, address } = await emailInbox();
    const first = mailWithFiles(from(address, "again.1@example.com"), HTML, [SCREENSHOT], [INVOICE]);
    await deliverEmail(first, address);
    await deliverEmail(first, address);
    const followUp = mailWithFiles(
      from(address, "again.2@example.com", { "In-Reply-To": "<again.1@example.com>" }),
      "<p>One more</p>",
      [],
      [USAGE],
    );
    await deliverEmail(followUp, address);
    await deliverEmail(followUp, address);

    // Two deliveries at once: whichever the room takes first keeps its files, the other's are removed.
    const third = mailWithFiles(
      from(address, "again.3@example.com", { "In-Reply-To": "<again.1@example.com>" }),
      "<p>And this</p>",
      [],
      [INVOICE],
    );
    await Promise.all([deliverEmail(third, address), deliverEmail(third, address)]);

    const conversations = await conversationsIn(admin, inboxId);
    expect(conversations).toHaveLength(1);
    const customer = (await itemsOf(admin.as, conversations[0]!.id)).filter((i) => i.kind === "customer");
    expect(customer.map((i) => i.attachments?.length)).toEqual([2, 1, 1]);
    expect(await storedFor(inboxId)).toMatchObject({ rows: 4, objects: 4 });
  });

  it("drops files past ten a message with a note for agents, and the message still arrives", async () => {
    const { admin, inboxId, address } = await emailInbox();
    const files = Array.from({ length: 12 }, (_, i) => ({ ...USAGE, filename: `report-${i + 1}.csv` }));
    const raw = mailWithFiles(from(address, "many.1@example.com"), "<p>All my reports</p>", [], files);
    await deliverEmail(raw, address);
    await deliverEmail(raw, address); // redelivered: still one note

    const conversation = await onlyConversation(admin, inboxId);
    const [message, ...rest] = (await itemsOf(admin.as, conversation.id)).filter((i) => i.kind !== "event");
    expect(message).toMatchObject({ kind: "customer", body: "All my reports" });
    expect(message!.attachments).toHaveLength(10);
    expect(rest).toHaveLength(1);
    const dropNote = rest[0]!;
    expect(dropNote).toMatchObject({ kind: "note", author: { type: "system" } });
    expect(dropNote.seq).toBeGreaterThan(message!.seq);
    expect(dropNote.body).toContain("report-11.csv");
    expect(dropNote.body).toContain("report-12.csv");
    expect(dropNote.body).toContain("more than 10 files in one message");
    expect(await storedFor(inboxId)).toMatchObject({ rows: 10, objects: 10 });
  });

  it("takes mail up to Email Routing's 25 MiB: a 12 MiB message that is one 9 MiB file arrives with it, more is dropped", async () => {
    const { admin, inboxId, address } = await emailInbox();
    const big = Uint8Array.from({ length: 9 * 1024 * 1024 }, (_, i) => (i * 7) % 251);
    const raw = [
      ...Object.entries({ "MIME-Version": "1.0", ...from(address, "big.1@example.com") }).map(([k, v]) => `${k}: ${v}`),
      filePart({ type: "application/zip", bytes: big, filename: "logs.zip" }),
    ].join("\r\n");
    expect(raw.length).toBeGreaterThan(12 * 1024 * 1024);
    await deliverEmail(raw, address);
    const conversation = await onlyConversation(admin, inboxId);
    const message = (await itemsOf(admin.as, conversation.id))[0]!;
    // Files alone make a message: no "(empty message)" placeholder.
    expect(message).toMatchObject({ kind: "customer", body: "" });
    expect(message.attachments).toEqual([expect.objectContaining({ name: "logs.zip", size: big.byteLength })]);
    expect(await download(admin.as, message.attachments![0]!.url)).toEqual(big);

    // Past Email Routing's own limit nothing is read: dropped with a log line, no bounce.
    const huge = `${raw.replace("big.1@example.com", "huge.1@example.com")}${"x".repeat(14 * 1024 * 1024)}`;
    expect(huge.length).toBeGreaterThan(MAX_RAW_BYTES);
    expect(await deliverEmail(huge, address)).toEqual([]);
    expect(await conversationsIn(admin, inboxId)).toHaveLength(1);
  });

  it("plans which parts to keep: too large or too many are dropped with their reason, in message order", () => {
    const part = (filename: string | null, size: number, mimeType = "application/pdf") => ({
      filename,
      mimeType,
      content: new ArrayBuffer(size),
    });
    const plan = planFiles(
      [part("a.pdf", 5), part("huge.pdf", 11), part(null, 3, "image/png"), part("c.pdf", 1), part("d.pdf", 20)],
      { maxBytes: 10, maxFiles: 2 },
    );
    expect(plan.keep.map((f) => f.name)).toEqual(["a.pdf", "image-3.png"]);
    expect(plan.dropped).toEqual([
      { name: "huge.pdf", size: 11, reason: "too_large" },
      { name: "c.pdf", size: 1, reason: "too_many" },
      { name: "d.pdf", size: 20, reason: "too_large" },
    ]);
    const note = droppedNote([{ name: "video.mov", size: 30 * 1024 * 1024, reason: "too_large" }]);
    expect(note).toContain("video.mov (30.0 MB): larger than 25 MB");
    const many = droppedNote(
      Array.from({ length: 500 }, (_, i) => ({ name: `${i}.txt`, size: 1, reason: "too_many" })),
    );
    expect(many.split("\n")).toHaveLength(22);
    expect(many).toMatch(/^500 files .*- and 480 more$/s);
  });

  it("marks cid images by their file and never shows remote ones", () => {
    const names = new Map([["logo@x", "logo.png"]]);
    const marker = (src: string, alt: string) =>
      src.startsWith("cid:") ? `[image: ${names.get(src.slice(4)) ?? alt}]` : "";
    expect(htmlToText('<p>Hi</p><IMG SRC="cid:logo@x"><img src=https://x.test/p.gif>', marker)).toBe(
      "Hi\n[image: logo.png]",
    );
    expect(htmlToText('<p>Hi</p><img src="cid:logo@x">')).toBe("Hi");
  });
});

/** An agent's upload for an inbox, as the composer sends it. */
const uploaded = (as: As, inboxId: string, file: Uint8Array, name: string, type: string) =>
  expectStatus(upload(as, inboxId, file, name, type), 201);

const deliveries = async (as: As, id: string) =>
  (await json(as, `/api/conversations/${id}/email-deliveries`)).items as {
    seq: number;
    status: string;
    attempts: number;
    error: string | null;
  }[];

const setAddress = (admin: Person, inboxId: string, emailAddress: string | null) =>
  json(admin.as, `/api/inboxes/${inboxId}`, { method: "PATCH", body: { emailAddress } });

/** An email inbox with a conversation the customer started by email. */
async function emailConversation() {
  const { admin, inboxId, address } = await emailInbox();
  await deliverEmail(mailWithFiles(from(address, `start.${address}`), "<p>Help</p>", [], []), address);
  return { admin, inboxId, address, id: (await onlyConversation(admin, inboxId)).id };
}

describe("reply email with files", () => {
  it("sends the reply's file as a MIME part, read from R2", async () => {
    const { admin, inboxId, address, id } = await emailConversation();
    const file = await uploaded(admin.as, inboxId, BINARY, "fix.pdf", "application/pdf");
    // Mail is off while the reply is written, so the sweep below is the send that is watched.
    await setAddress(admin, inboxId, null);
    const sent = await expectStatus(reply(admin.as, id, "Here is the fix.", { attachmentIds: [file.id] }), 201);
    expect(sent.attachments).toEqual([expect.objectContaining({ id: file.id, name: "fix.pdf" })]);
    await vi.waitFor(async () => expect((await deliveries(admin.as, id))[0]).toMatchObject({ attempts: 1 }));
    await setAddress(admin, inboxId, address);

    // The real (strict) binding, with what it is handed noted on the way through.
    const { handed, recording } = recordingEmail();
    await runSweep(Date.now() + 60 * 60_000, recording);
    expect(handed).toHaveLength(1);
    expect(handed[0]).toMatchObject({ to: "jo@example.com", text: "Here is the fix." });
    expect(handed[0]!.attachments).toEqual([
      { disposition: "attachment", filename: "fix.pdf", type: "application/pdf", content: expect.any(String) },
    ]);
    expect(fromBase64(handed[0]!.attachments![0]!.content as string)).toEqual(BINARY);
    expect(contentRefusal(handed[0]!)).toBeNull();
    expect(await deliveries(admin.as, id)).toEqual([{ seq: sent.seq, status: "sent", attempts: 2, error: null }]);
  });

  it("refuses a reply over Email Service's 5 MiB before writing it, and fails at once one whose file is gone from R2", async () => {
    const { admin, inboxId, id } = await emailConversation();
    const big = await uploaded(admin.as, inboxId, new Uint8Array(4 * 1024 * 1024), "logs.zip", "application/zip");
    // Refused as it is sent, so nothing is written: the agent sends the files in smaller replies.
    const before = (await timeline(admin.as, id)).lastSeq;
    const refused = await expectError(
      reply(admin.as, id, "Logs attached.", { attachmentIds: [big.id] }),
      400,
      "validation_failed",
    );
    expect(refused.message).toMatch(/^Too large for email: .*logs\.zip 4\.0 MB/);
    expect((await timeline(admin.as, id)).lastSeq).toBe(before);

    const lost = await uploaded(admin.as, inboxId, PNG, "lost.png", "image/png");
    const row = await env.DB.prepare("SELECT r2_key FROM attachments WHERE id = ?")
      .bind(lost.id)
      .first<{ r2_key: string }>();
    await env.FILES.delete(row!.r2_key);
    const gone = await expectStatus(
      reply(admin.as, id, "Screenshot attached.", { attachmentIds: [lost.id], force: true }),
      201,
    );

    await vi.waitFor(async () =>
      expect(await deliveries(admin.as, id)).toEqual([
        {
          seq: gone.seq,
          status: "failed",
          attempts: 1,
          error: expect.stringContaining("lost.png is no longer stored"),
        },
      ]),
    );
  });

  it("refuses, as production does, what the simulator takes: over 5 MiB, text that is not base64, inline without an id", () => {
    const base = { from: "help@acme.test", to: "jo@example.com", subject: "Re: files", text: "Files." };
    const file = (content: string, extra: Record<string, string> = {}) =>
      ({ disposition: "attachment", filename: "a.bin", type: "application/octet-stream", content, ...extra }) as const;
    expect(contentRefusal({ ...base, attachments: [file(btoa("ok"))] })).toBeNull();
    const huge = new Uint8Array(MAX_MESSAGE_BYTES);
    expect(
      contentRefusal({
        ...base,
        attachments: [{ disposition: "attachment", filename: "a.bin", type: "application/zip", content: huge }],
      })?.code,
    ).toBe("E_CONTENT_TOO_LARGE");
    expect(contentRefusal({ ...base, attachments: [file("plain text, not base64")] })?.code).toBe("E_VALIDATION_ERROR");
    // Base64 makes files a third larger: about 3.6 MiB of files fit in Email Service's 5 MiB.
    const reply = { subject: "Re: files", text: "Attached." };
    const sized = (mib: number) => [
      { id: "at_1", name: "a.zip", size: mib * 1024 * 1024, contentType: "application/zip" },
    ];
    expect(tooLargeForEmail(reply, sized(3.6))).toBeNull();
    expect(tooLargeForEmail(reply, sized(3.7))).toMatch(/^Too large for email: with its files \(a\.zip 3\.7 MB\)/);
    const inline = { disposition: "inline", filename: "a.png", type: "image/png", content: btoa("x") };
    expect(contentRefusal({ ...base, attachments: [inline as unknown as EmailAttachment] })?.code).toBe(
      "E_VALIDATION_ERROR",
    );
  });
});
