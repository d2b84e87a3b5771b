/**
 * The customer's side: contact tokens, the widget's start, and a customer's
 * message (which after 24 quiet hours starts a new conversation).
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { CustomerState, Item, Rating, RatingInput, WidgetStartInput } from "../contract";
import type { Db } from "../db/client";
import { type ContactRow, contactName, ensureContact } from "../db/queries/contacts";
import { type ConversationRow, findConversation, followMerges } from "../db/queries/conversations";
import { latestResolution } from "../db/queries/ratings";
import { contactTokens, contacts, conversations, inboxes, timelineItems } from "../db/schema";
import { startsNewChat } from "../domain/chat";
import { AppError, notFound, unwrap } from "../errors";
import { derivedId, hex, newId, randomToken, sha256Hex, timingSafeEqual } from "../lib/ids";
import { type AuthorRef, getConversationRoom } from "../rooms/conversation-room";
import { customerState } from "../rooms/room-events";
import { startConversation } from "./start";

type InboxRow = typeof inboxes.$inferSelect;

/** HMAC-SHA256 of the site's user id with the inbox's secret, hex: what the site's backend computes. */
async function identityHash(secret: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(userId)));
}

/** The contact (and the inbox it was issued for) a contact token stands for, or null. */
/** The contact (and the inbox whose widget issued it) a contact token opens, or null. */
export async function contactForToken(db: Db, token: string | undefined) {
  if (!token) return null;
  const [row] = await db
    .select({ contact: contacts, inboxId: contactTokens.inboxId })
    .from(contactTokens)
    .innerJoin(contacts, eq(contacts.id, contactTokens.contactId))
    .where(eq(contactTokens.tokenHash, await sha256Hex(token)))
    .limit(1);
  return row ?? null;
}

/** The customer's own conversation, or 404: a token opens only its contact's conversations. */
export async function customerConversation(db: Db, token: string | undefined, id: string) {
  const who = await contactForToken(db, token);
  if (!who) throw new AppError("unauthenticated", "A contact token is required");
  const asked = await findConversation(db, id);
  if (
    !asked ||
    asked.contactId !== who.contact.id ||
    (asked.inboxId !== who.inboxId &&
      !(await movedFrom(db, asked.id, who.inboxId)) &&
      !(await mergedFrom(db, asked.id, who.inboxId)))
  ) {
    throw notFound("Conversation not found");
  }
  // Merged: the thread goes on in the conversation it was merged into (always the same customer's).
  return { conversation: await followMerges(db, asked), contact: who.contact };
}

/** Whether a conversation of `inboxId` was merged into this one: that widget continues here. */
async function mergedFrom(db: Db, conversationId: string, inboxId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.mergedInto, conversationId), eq(conversations.inboxId, inboxId)))
    .limit(1);
  return !!row;
}

/** Whether the team moved this conversation out of `inboxId`: the customer's widget there keeps it. */
async function movedFrom(db: Db, conversationId: string, inboxId: string): Promise<boolean> {
  const [row] = await db
    .select({ seq: timelineItems.seq })
    .from(timelineItems)
    .where(
      and(
        eq(timelineItems.conversationId, conversationId),
        eq(timelineItems.kind, "event"),
        sql`json_extract(${timelineItems.event}, '$.type') = 'moved'`,
        sql`json_extract(${timelineItems.event}, '$.from.id') = ${inboxId}`,
      ),
    )
    .limit(1);
  return !!row;
}

const customerAuthor = (contact: ContactRow): AuthorRef => ({
  type: "contact",
  id: contact.id,
  name: contactName(contact),
});

/** The inbox a widget key opens, or 404. */
export async function widgetInbox(db: Db, widgetKey: string): Promise<InboxRow> {
  const inbox = await db.query.inboxes.findFirst({ where: eq(inboxes.widgetKey, widgetKey) });
  if (!inbox) throw notFound("No inbox has that widget key");
  return inbox;
}

/** The site's user id when the widget vouches for it with the inbox's HMAC; null without identity; 403 when forged. */
export async function verifiedUserId(inbox: InboxRow, identity: WidgetStartInput["identity"]): Promise<string | null> {
  if (!identity) return null;
  const expected = await identityHash(inbox.widgetSecret, identity.userId);
  if (!timingSafeEqual(expected, identity.hash.toLowerCase())) {
    throw new AppError("forbidden", "Identity verification failed");
  }
  return identity.userId;
}

/**
 * A visitor starts a conversation in the widget. A returning visitor (their
 * token, same inbox and identity) keeps their contact and token; others become
 * a new contact with a new token. With a key, a retry finds the same
 * conversation only with the token it returned or the same verified identity:
 * a key alone never hands out someone's contact.
 */
export async function startFromWidget(
  env: Env,
  db: Db,
  start: {
    inbox: InboxRow;
    input: WidgetStartInput;
    externalId: string | null;
    token: string | undefined;
    key: string | undefined;
  },
): Promise<{ conversationId: string; contactToken: string }> {
  const { inbox, input, externalId, token, key } = start;
  const returning = await contactForToken(db, token);
  const owned =
    returning && returning.inboxId === inbox.id && (!externalId || returning.contact.externalId === externalId)
      ? returning.contact
      : null;
  // Only an anonymous start derives its contact from the key; a verified identity is found by its id.
  const anonymousKey = key && !externalId ? key : undefined;
  const contact =
    owned ??
    (await ensureContact(db, {
      id: anonymousKey ? await derivedId("ct", inbox.id, anonymousKey) : newId("ct"),
      workspaceId: inbox.workspaceId,
      name: input.name,
      email: input.email,
      externalId,
      attributes: input.attributes,
    }));
  refuseBlocked(contact);
  const contactToken = owned ? token! : await issueContactToken(db, contact.id, inbox.id, Boolean(anonymousKey));
  const conversationId = key ? await derivedId("cv", inbox.id, contact.id, key) : newId("cv");
  await startConversation(env, db, {
    conversationId,
    inbox,
    contact,
    subject: null,
    first: { kind: "customer", body: input.body, author: customerAuthor(contact) },
  });
  return { conversationId, contactToken };
}

/** A blocked contact's widget messages are refused and create nothing (their emails are dropped the same way). */
function refuseBlocked(contact: ContactRow): void {
  if (contact.blocked) throw new AppError("forbidden", "Messages from this contact are not accepted");
}

/**
 * A new contact token. For a contact derived from an Idempotency-Key it is issued once only, in one
 * statement: anyone replaying the key without the token it returned gets a 409, not the contact.
 */
async function issueContactToken(db: Db, contactId: string, inboxId: string, firstOnly: boolean): Promise<string> {
  const token = randomToken("sbc");
  const tokenHash = await sha256Hex(token);
  const now = Date.now();
  const result = await db.run(
    firstOnly
      ? sql`INSERT INTO contact_tokens (token_hash, contact_id, inbox_id, created_at)
            SELECT ${tokenHash}, ${contactId}, ${inboxId}, ${now}
            WHERE NOT EXISTS (SELECT 1 FROM contact_tokens WHERE contact_id = ${contactId})`
      : sql`INSERT INTO contact_tokens (token_hash, contact_id, inbox_id, created_at)
            VALUES (${tokenHash}, ${contactId}, ${inboxId}, ${now})`,
  );
  if (result.meta.changes === 0) {
    throw new AppError(
      "conflict",
      "This Idempotency-Key already started a conversation; retry with the contact token it returned, or use a new key",
    );
  }
  return token;
}

/**
 * Where a customer's message goes under the 24-hour chat rule: a new
 * conversation's id, or null to post in this one. With an Idempotency-Key the
 * new id is derived from it, so a retry finds that conversation again.
 */
async function conversationAfterQuiet(
  db: Db,
  conversation: ConversationRow,
  key: string | undefined,
): Promise<{ id: string; inbox: InboxRow } | null> {
  const inbox = await db.query.inboxes.findFirst({ where: eq(inboxes.id, conversation.inboxId) });
  if (!inbox) return null;
  const retried = key
    ? await derivedId("cv", conversation.inboxId, conversation.contactId, `after-quiet:${key}`)
    : null;
  if (retried && (await findConversation(db, retried))) return { id: retried, inbox };
  const [latest] = await db
    .select({ lastActivityAt: conversations.lastActivityAt })
    .from(conversations)
    .where(and(eq(conversations.contactId, conversation.contactId), eq(conversations.inboxId, conversation.inboxId)))
    .orderBy(desc(conversations.lastActivityAt))
    .limit(1);
  if (!startsNewChat(inbox.channel, latest?.lastActivityAt ?? null, Date.now())) return null;
  return { id: retried ?? newId("cv"), inbox };
}

/** A customer's message in their conversation, or in a new one when the chat has been quiet for 24 hours. */
export async function postFromCustomer(
  env: Env,
  db: Db,
  post: {
    conversation: ConversationRow;
    contact: ContactRow;
    body: string;
    attachmentIds?: string[];
    key: string | undefined;
  },
): Promise<{ item: Item; conversationId: string }> {
  const { conversation, contact, body, attachmentIds, key } = post;
  refuseBlocked(contact);
  const author = customerAuthor(contact);
  const fresh = await conversationAfterQuiet(db, conversation, key);
  if (fresh) {
    const item = await startConversation(env, db, {
      conversationId: fresh.id,
      inbox: fresh.inbox,
      contact,
      subject: null,
      first: { kind: "customer", body, author, attachmentIds },
    });
    return { item, conversationId: fresh.id };
  }
  const { item } = unwrap(
    await getConversationRoom(env, conversation.id).post(conversation.id, {
      kind: "customer",
      body,
      author,
      attachmentIds,
      idempotencyKey: key,
    }),
  );
  return { item, conversationId: conversation.id };
}

/** Where the conversation stands for its customer, read from D1 (the room sends changes to it live). */
export async function customerStateOf(db: Db, conversation: ConversationRow): Promise<CustomerState> {
  const resolved = conversation.status === "resolved";
  return customerState({
    status: conversation.status,
    resolution: resolved ? await latestResolution(db, conversation.id) : null,
  });
}

/** The customer rates the resolution they were shown, through the conversation's room (once per resolution). */
export async function rateConversation(
  env: Env,
  rate: { conversation: ConversationRow; contact: ContactRow; input: RatingInput },
): Promise<Rating> {
  const { conversation, contact, input } = rate;
  refuseBlocked(contact);
  const room = getConversationRoom(env, conversation.id);
  return unwrap(await room.rate(conversation.id, input, customerAuthor(contact))).rating;
}
