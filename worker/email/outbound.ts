import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { threadMessageIds } from "../db/queries/outbox";
import { contacts, conversations, inboxes, timelineItems } from "../db/schema";
import { referencesHeader } from "./threading";

/**
 * The email for a reply (item `seq`) in an email conversation, threaded:
 * In-Reply-To the newest message id before it, References the chain (capped
 * as Email Service and Email Routing require). From, To and Subject go in the
 * API fields; Message-ID is Email Service's to set. Null when it cannot go
 * out (the inbox lost its address, the contact has no email).
 */
export async function replyEmail(db: Db, conversationId: string, seq: number): Promise<EmailMessageBuilder | null> {
  const [row] = await db
    .select({
      subject: conversations.subject,
      from: inboxes.emailAddress,
      channel: inboxes.channel,
      inboxName: inboxes.name,
      to: contacts.email,
      author: timelineItems.authorName,
      body: timelineItems.body,
    })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(timelineItems, eq(timelineItems.conversationId, conversations.id))
    .where(sql`${conversations.id} = ${conversationId} AND ${timelineItems.seq} = ${seq}`);
  if (row?.channel !== "email" || !row.from || !row.to) return null;
  const chain = await threadMessageIds(db, conversationId, seq);
  const subject = row.subject
    ? /^re:/i.test(row.subject)
      ? row.subject
      : `Re: ${row.subject}`
    : `Re: your message to ${row.inboxName}`;
  return {
    from: { email: row.from, name: `${row.author} (${row.inboxName})` },
    to: row.to,
    subject,
    text: row.body,
    headers: chain.length ? { "In-Reply-To": `<${chain.at(-1)}>`, References: referencesHeader(chain) } : undefined,
  };
}
