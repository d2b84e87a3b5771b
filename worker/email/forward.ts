/**
 * The email of a forward: the conversation's thread, oldest first (newest
 * last), sent to people outside the inbox, in plain text and in simple HTML
 * (every piece of text escaped). The agent's own words come first; customer
 * messages and replies follow, notes only when the agent asked for them,
 * events never. Files go as MIME parts when they all fit within Email
 * Service's size limit, otherwise as links that work without signing in.
 *
 * Its threading is its own: no In-Reply-To or References, so the customer's
 * thread is never joined. Email Service gives it a Message-ID, kept on the
 * outbox row, which answers name in their In-Reply-To (see forward-answer.ts).
 */
import { and, asc, eq, inArray, lt } from "drizzle-orm";
import { filesKey, signedUrl } from "../attachments/links";
import type { Db } from "../db/client";
import { contacts, conversations, inboxes, type StoredAttachment, timelineItems } from "../db/schema";
import { filesAsParts, Undeliverable } from "./outbound";
import { MAX_MESSAGE_BYTES, messageBytes } from "./send-rules";

type ForwardEnv = Pick<Env, "FILES" | "EMAIL_FROM" | "APP_URL">;

/** Messages a forward carries at most: the newest ones, with a line saying how many earlier ones it leaves out. */
export const MAX_FORWARDED_ITEMS = 200;
/** How long a file link in a forward works: a colleague may read it days later. */
const LINK_DAYS = 30;
/** The text parts stay well inside the message limit, leaving the rest to files. */
const MAX_TEXT_BYTES = 1024 * 1024;

/** The reply address of a forward from a chat inbox: the sender's address, tagged with the forward's outbox id. */
export function forwardReplyAddress(sender: string, outboxId: string): string {
  const at = sender.lastIndexOf("@");
  return `${sender.slice(0, at)}+fwd-${outboxId}${sender.slice(at)}`;
}

/** The forward's outbox id when `to` is a reply address made from `sender`; null otherwise. */
export function forwardIdOfAddress(sender: string | undefined, to: string): string | null {
  if (!sender) return null;
  const at = sender.lastIndexOf("@");
  const [local, domain] = [sender.slice(0, at).toLowerCase(), sender.slice(at).toLowerCase()];
  const match = /^(.+)\+fwd-([A-Za-z0-9_-]{1,80})(@.+)$/.exec(to.trim().toLowerCase());
  return match && match[1] === local && match[3] === domain ? match[2]! : null;
}

interface Entry {
  kind: "customer" | "reply" | "note";
  author: string;
  at: number;
  body: string;
  files: StoredAttachment[];
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const when = (ms: number) =>
  `${new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(new Date(ms))} UTC`;

const LABEL = { customer: "", reply: " (reply)", note: " (internal note)" } as const;

/**
 * The forward's email for its `forwarded` event at `seq`; `outboxId` names
 * its reply address when the inbox has no address of its own.
 */
export async function forwardEmail(
  env: ForwardEnv,
  db: Db,
  conversationId: string,
  seq: number,
  outboxId: string,
): Promise<EmailMessageBuilder> {
  const [head] = await db
    .select({
      subject: conversations.subject,
      workspaceId: conversations.workspaceId,
      inboxName: inboxes.name,
      inboxAddress: inboxes.emailAddress,
      contactName: contacts.name,
      contactEmail: contacts.email,
      event: timelineItems.event,
      by: timelineItems.authorName,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(timelineItems, and(eq(timelineItems.conversationId, conversations.id), eq(timelineItems.seq, seq)))
    .where(eq(conversations.id, conversationId));
  const event = head?.event;
  if (!head || event?.type !== "forwarded") throw new Undeliverable("This forward is no longer in the conversation");
  const sender = head.inboxAddress ?? env.EMAIL_FROM;
  if (!sender) throw new Undeliverable("Neither the inbox nor Switchboard has an address to send from");

  const kinds: Entry["kind"][] = event.includeNotes ? ["customer", "reply", "note"] : ["customer", "reply"];
  const rows = await db
    .select({
      kind: timelineItems.kind,
      author: timelineItems.authorName,
      at: timelineItems.createdAt,
      body: timelineItems.body,
      files: timelineItems.attachments,
      seq: timelineItems.seq,
    })
    .from(timelineItems)
    .where(
      and(
        eq(timelineItems.conversationId, conversationId),
        lt(timelineItems.seq, seq),
        inArray(timelineItems.kind, kinds),
      ),
    )
    .orderBy(asc(timelineItems.seq));
  const kept = rows.slice(-MAX_FORWARDED_ITEMS);
  const entries: Entry[] = kept.map((r) => ({
    kind: r.kind as Entry["kind"],
    author: r.author,
    at: r.at,
    body: r.body,
    files: r.files ?? [],
  }));
  const left = rows.length - kept.length;

  // Names and subjects are free text: no line breaks or other control characters in a header.
  const oneLine = (text: string) => text.replace(/\p{Cc}+/gu, " ").trim();
  const subject = oneLine(
    `Fwd: ${head.subject || `Conversation with ${head.contactName || head.contactEmail || "a customer"}`}`,
  );
  const customer = [head.contactName, head.contactEmail && `<${head.contactEmail}>`].filter(Boolean).join(" ");
  const intro = {
    by: head.by,
    inbox: head.inboxName,
    customer: customer || "a customer",
    message: event.message,
    left,
    answers: "Answers to this email reach the team as internal notes; the customer does not see them.",
  };
  const files = entries.flatMap((e) => e.files);
  const base = { subject, ...texts(intro, entries, null) };
  const asParts = files.length > 0 && messageBytes({ ...base, files: fileShapes(files) }) <= MAX_MESSAGE_BYTES;
  let parts: EmailAttachment[] | null = null;
  if (asParts) parts = await partsOrNull(env.FILES, db, conversationId, entries);
  const links = files.length && !parts ? await fileLinks(env, db, head.workspaceId, files) : null;
  const message: EmailMessageBuilder = {
    from: { email: sender, name: oneLine(`${head.by} (${head.inboxName})`) },
    to: event.to,
    subject,
    ...(links ? texts(intro, entries, links) : base),
  };
  if (!head.inboxAddress) message.replyTo = forwardReplyAddress(sender, outboxId);
  if (parts) message.attachments = parts;
  return message;
}

const fileShapes = (files: StoredAttachment[]) => files.map((f) => ({ filename: f.name, bytes: f.size }));

/** The files as parts, read item by item (at most ten ids a query); null when one is gone from R2 (links then). */
async function partsOrNull(bucket: R2Bucket, db: Db, conversationId: string, entries: Entry[]) {
  const parts: EmailAttachment[] = [];
  try {
    for (const e of entries)
      if (e.files.length) parts.push(...(await filesAsParts(db, bucket, conversationId, e.files)));
  } catch (error) {
    if (error instanceof Undeliverable) return null;
    throw error;
  }
  return parts;
}

/** File id → a download link that works without signing in, for LINK_DAYS. */
async function fileLinks(env: ForwardEnv, db: Db, workspaceId: string, files: StoredAttachment[]) {
  const key = await filesKey(db, workspaceId);
  const exp = Math.ceil(Date.now() / 1000) + LINK_DAYS * 24 * 60 * 60;
  const links = new Map<string, string>();
  for (const f of files) links.set(f.id, `${env.APP_URL ?? ""}${await signedUrl(key, f.id, exp)}`);
  return links;
}

interface Intro {
  by: string;
  inbox: string;
  customer: string;
  message?: string;
  left: number;
  answers: string;
}

/** The text and HTML bodies; `links` set when files go as links rather than parts. */
function texts(intro: Intro, entries: Entry[], links: Map<string, string> | null): { text: string; html: string } {
  const fileLine = (f: StoredAttachment) => (links ? `${f.name}: ${links.get(f.id)}` : `${f.name} (attached)`);
  const fileHtml = (f: StoredAttachment) =>
    links
      ? `<a href="${escapeHtml(links.get(f.id) ?? "")}">${escapeHtml(f.name)}</a>`
      : `${escapeHtml(f.name)} (attached)`;
  const header = `${intro.by} forwarded a conversation with ${intro.customer} from the ${intro.inbox} inbox.`;
  const omitted = intro.left
    ? `(${intro.left} earlier message${intro.left === 1 ? "" : "s"} not included: only the newest ${MAX_FORWARDED_ITEMS} are.)`
    : "";

  const textParts = [
    ...(intro.message ? [intro.message, ""] : []),
    header,
    intro.answers,
    ...(omitted ? [omitted] : []),
    "",
    ...entries.flatMap((e) => [
      "----------",
      `${e.author}${LABEL[e.kind]} · ${when(e.at)}`,
      "",
      e.body,
      ...(e.files.length ? ["", ...e.files.map((f) => `Attachment: ${fileLine(f)}`)] : []),
      "",
    ]),
  ];
  const paragraph = (s: string) => escapeHtml(s).replace(/\r?\n/g, "<br>");
  const htmlParts = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">',
    ...(intro.message ? [`<p>${paragraph(intro.message)}</p><hr>`] : []),
    `<p style="color:#555">${escapeHtml(header)}<br>${escapeHtml(intro.answers)}</p>`,
    ...(omitted ? [`<p style="color:#555">${escapeHtml(omitted)}</p>`] : []),
    ...entries.map(
      (e) =>
        `<div style="border-top:1px solid #ddd;padding:8px 0${e.kind === "note" ? ";background:#fff8e1" : ""}">` +
        `<p style="margin:0;color:#555"><strong>${escapeHtml(e.author)}</strong>${escapeHtml(LABEL[e.kind])} · ${escapeHtml(when(e.at))}</p>` +
        `<p style="margin:4px 0">${paragraph(e.body)}</p>` +
        (e.files.length ? `<ul>${e.files.map((f) => `<li>${fileHtml(f)}</li>`).join("")}</ul>` : "") +
        "</div>",
    ),
    "</body></html>",
  ];
  return shorten(textParts.join("\n"), htmlParts.join("\n"));
}

/** Texts past their share of the message are cut with a note (the newest messages are last, so the head goes). */
function shorten(text: string, html: string): { text: string; html: string } {
  const size = (s: string) => new TextEncoder().encode(s).length;
  if (size(text) + size(html) <= MAX_TEXT_BYTES) return { text, html };
  const note = "[… the start of this thread was too long for one email and is left out]\n\n";
  const cut = (s: string, max: number) => s.slice(Math.max(0, s.length - max));
  return {
    text: note + cut(text, MAX_TEXT_BYTES / 4),
    html: `<p>${escapeHtml(note)}</p>${escapeHtml(cut(text, MAX_TEXT_BYTES / 4)).replace(/\n/g, "<br>")}`,
  };
}
