import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { Item } from "../contract";
import type { Db } from "../db/client";
import { contacts, conversations, inboxes, timelineItems } from "../db/schema";

/**
 * Sends an email conversation's reply to the customer through the send_email
 * binding, threaded: In-Reply-To the newest message with an id, References the
 * whole chain, the reply's own Message-ID as stored with the item.
 */
export async function sendReplyEmail(
  env: Pick<Env, "EMAIL">,
  db: Db,
  conversationId: string,
  item: Item,
  messageId: string,
): Promise<void> {
  const [row] = await db
    .select({ subject: conversations.subject, from: inboxes.emailAddress, name: inboxes.name, to: contacts.email })
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, conversationId));
  if (!row?.from || !row.to) return;
  const chain = await db
    .select({ messageId: timelineItems.messageId })
    .from(timelineItems)
    .where(and(eq(timelineItems.conversationId, conversationId), isNotNull(timelineItems.messageId)))
    .orderBy(asc(timelineItems.seq));
  const earlier = chain.map((r) => `<${r.messageId}>`).filter((id) => id !== `<${messageId}>`);
  const subject = row.subject
    ? /^re:/i.test(row.subject)
      ? row.subject
      : `Re: ${row.subject}`
    : `Re: your message to ${row.name}`;
  await env.EMAIL.send({
    from: { email: row.from, name: `${item.author.name} (${row.name})` },
    to: row.to,
    subject,
    text: item.body,
    headers: {
      "Message-ID": `<${messageId}>`,
      ...(earlier.length ? { "In-Reply-To": earlier.at(-1)!, References: earlier.slice(-20).join(" ") } : {}),
    },
  });
}
