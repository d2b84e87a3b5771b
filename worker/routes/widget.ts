import { and, desc, eq, inArray } from "drizzle-orm";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { cors } from "hono/cors";
import { CUSTOMER_KINDS, WidgetPostInput, WidgetStartInput } from "../contract";
import { bearerToken } from "../auth/session";
import { getDb, type Db } from "../db/client";
import { contactName, ensureContact, type ContactRow } from "../db/queries/contacts";
import { findConversation, type ConversationRow } from "../db/queries/conversations";
import { toCustomerItem, toItem } from "../db/queries/items";
import { contactTokens, contacts, conversations, inboxes, timelineItems } from "../db/schema";
import type { AppEnv } from "../env";
import { AppError, notFound, unwrap } from "../errors";
import { derivedId, hex, newId, randomToken, sha256Hex, timingSafeEqual } from "../lib/ids";
import { clientIp, hit, type Limit } from "../lib/rate-limit";
import { parseOr400, validate } from "../lib/validate";
import { getConversationRoom, type AuthorRef } from "../rooms/conversation-room";
import { idempotencyKey } from "./conversations";
import { autoAssign } from "./rules";

/** Per visitor address: new conversations, and messages, per ten minutes. */
const START_LIMIT: Limit = { max: 20, windowMs: 10 * 60 * 1000 };
const MESSAGE_LIMIT: Limit = { max: 120, windowMs: 10 * 60 * 1000 };

async function limit(db: Db, c: Context, scope: string, rule: Limit) {
  if (!(await hit(db, `widget:${scope}:${clientIp(c.req.raw)}`, rule))) {
    throw new AppError("rate_limited", "Too many messages; please wait a moment");
  }
}

/** HMAC-SHA256 of the site's user id with the inbox's secret, hex: what the site's backend computes. */
export async function identityHash(secret: string, userId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(userId)));
}

async function contactForToken(db: Db, token: string | undefined) {
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
  const conversation = await findConversation(db, id);
  if (!conversation || conversation.contactId !== who.contact.id || conversation.inboxId !== who.inboxId) {
    throw notFound("Conversation not found");
  }
  return { conversation, contact: who.contact };
}

/** A chat goes quiet after this long; the next customer message starts a new conversation. */
const CHAT_QUIET_MS = 24 * 60 * 60 * 1000;

/**
 * The 24-hour chat rule: when the contact's latest conversation in this chat
 * inbox has been inactive for more than 24 hours, a new message starts a new
 * conversation. Returns the new conversation's id, or null to post as usual.
 * With an Idempotency-Key the id is derived from it, so a retry finds it again.
 */
async function conversationAfterQuiet(
  db: Db,
  conversation: ConversationRow,
  key: string | undefined,
): Promise<string | null> {
  const inbox = await db.query.inboxes.findFirst({ where: eq(inboxes.id, conversation.inboxId) });
  if (inbox?.channel !== "chat") return null;
  const retried = key
    ? await derivedId("cv", conversation.inboxId, conversation.contactId, `after-quiet:${key}`)
    : null;
  if (retried && (await findConversation(db, retried))) return retried;
  const [latest] = await db
    .select({ lastActivityAt: conversations.lastActivityAt })
    .from(conversations)
    .where(and(eq(conversations.contactId, conversation.contactId), eq(conversations.inboxId, conversation.inboxId)))
    .orderBy(desc(conversations.lastActivityAt))
    .limit(1);
  if (!latest || Date.now() - latest.lastActivityAt <= CHAT_QUIET_MS) return null;
  return retried ?? newId("cv");
}

const customerAuthor = (contact: ContactRow): AuthorRef => ({
  type: "contact",
  id: contact.id,
  name: contactName(contact),
});

/** The widget runs on customers' sites: any origin, bearer tokens only (no cookies). */
export const widgetCors = cors({
  origin: "*",
  allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
  allowMethods: ["GET", "POST", "OPTIONS"],
  maxAge: 86400,
});

/**
 * A retried start must find its conversation again, yet the key then works
 * like a password for it: it must be long enough to be unguessable.
 */
const StartKey = z.string().min(20, "must be at least 20 characters (use a random UUID)");

export const widgetRoutes = new Hono<AppEnv>()
  .post("/:widgetKey/conversations", validate("json", WidgetStartInput), async (c) => {
    const input = c.req.valid("json");
    const db = getDb(c.env.DB);
    const inbox = await db.query.inboxes.findFirst({ where: eq(inboxes.widgetKey, c.req.param("widgetKey")) });
    if (!inbox) throw notFound("No inbox has that widget key");
    await limit(db, c, "start", START_LIMIT);

    let externalId: string | null = null;
    if (input.identity) {
      const expected = await identityHash(inbox.widgetSecret, input.identity.userId);
      if (!timingSafeEqual(expected, input.identity.hash.toLowerCase())) {
        throw new AppError("forbidden", "Identity verification failed");
      }
      externalId = input.identity.userId;
    }
    // A returning visitor keeps their contact (and token); others become a new contact.
    const returning = await contactForToken(db, bearerToken(c));
    const key = idempotencyKey(c);
    if (key) parseOr400(StartKey, key, "Idempotency-Key header");
    const contact =
      returning && returning.inboxId === inbox.id && (!externalId || returning.contact.externalId === externalId)
        ? returning.contact
        : await ensureContact(db, {
            id: key ? await derivedId("ct", inbox.id, key) : newId("ct"),
            workspaceId: inbox.workspaceId,
            name: input.name,
            email: input.email,
            externalId,
            attributes: input.attributes,
          });
    let contactToken = returning?.contact.id === contact.id ? bearerToken(c)! : null;
    if (!contactToken) {
      contactToken = randomToken("sbc");
      await db.insert(contactTokens).values({
        tokenHash: await sha256Hex(contactToken),
        contactId: contact.id,
        inboxId: inbox.id,
        createdAt: Date.now(),
      });
    }
    const conversationId = key ? await derivedId("cv", inbox.id, contact.id, key) : newId("cv");
    const retried = key ? await findConversation(db, conversationId) : undefined;
    unwrap(
      await getConversationRoom(c.env, conversationId).create({
        conversationId,
        workspaceId: inbox.workspaceId,
        inboxId: inbox.id,
        contactId: contact.id,
        subject: null,
        first: { kind: "customer", body: input.body, author: customerAuthor(contact) },
        initial: retried
          ? undefined
          : await autoAssign(c.env, db, {
              workspaceId: inbox.workspaceId,
              inboxId: inbox.id,
              channel: inbox.channel,
              subject: null,
              body: input.body,
              contact,
            }),
      }),
    );
    return c.json({ conversationId, contactToken }, 201);
  })
  .get("/conversations/:id/messages", async (c) => {
    const db = getDb(c.env.DB);
    const { conversation } = await customerConversation(db, bearerToken(c), c.req.param("id"));
    const rows = await db
      .select()
      .from(timelineItems)
      .where(and(eq(timelineItems.conversationId, conversation.id), inArray(timelineItems.kind, [...CUSTOMER_KINDS])))
      .orderBy(timelineItems.seq);
    return c.json({ items: rows.map(toItem).map(toCustomerItem) });
  })
  .post("/conversations/:id/messages", validate("json", WidgetPostInput), async (c) => {
    const db = getDb(c.env.DB);
    const { conversation, contact } = await customerConversation(db, bearerToken(c), c.req.param("id"));
    await limit(db, c, "message", MESSAGE_LIMIT);
    const body = c.req.valid("json").body;
    const key = idempotencyKey(c);
    const author = customerAuthor(contact);

    const fresh = await conversationAfterQuiet(db, conversation, key);
    if (fresh) {
      const retried = await findConversation(db, fresh);
      const { item } = unwrap(
        await getConversationRoom(c.env, fresh).create({
          conversationId: fresh,
          workspaceId: conversation.workspaceId,
          inboxId: conversation.inboxId,
          contactId: contact.id,
          subject: null,
          first: { kind: "customer", body, author },
          initial: retried
            ? undefined
            : await autoAssign(c.env, db, {
                workspaceId: conversation.workspaceId,
                inboxId: conversation.inboxId,
                channel: "chat",
                subject: null,
                body,
                contact,
              }),
        }),
      );
      return c.json({ ...toCustomerItem(item), conversationId: fresh }, 201);
    }
    const { item } = unwrap(
      await getConversationRoom(c.env, conversation.id).post(conversation.id, {
        kind: "customer",
        body,
        author,
        idempotencyKey: key,
      }),
    );
    return c.json({ ...toCustomerItem(item), conversationId: conversation.id }, 201);
  })
  .all("*", () => {
    throw notFound("No such widget endpoint");
  });
