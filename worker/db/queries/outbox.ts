/**
 * The outbox: outgoing email as rows written with the item it sends (a reply,
 * or a `forwarded` event: the thread forwarded to people outside the inbox).
 * The sweep claims due rows with one `UPDATE … RETURNING` whose lease moves
 * `due_at` ahead, so overlapping runs never take the same row.
 */
import { and, asc, desc, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { Db } from "../client";
import { forwardRecipients, outbox, timelineItems } from "../schema";

export type OutboxRow = typeof outbox.$inferSelect;

/** The insert that queues an item's email (a reply's, or a forward's); part of the item's own batch. */
export const queueReplyEmail = (
  db: Db,
  row: { id: string; conversationId: string; seq: number; now: number; kind?: OutboxRow["kind"] },
) =>
  db
    .insert(outbox)
    .values({
      id: row.id,
      kind: row.kind ?? "reply",
      conversationId: row.conversationId,
      seq: row.seq,
      dueAt: row.now,
      createdAt: row.now,
    })
    .onConflictDoNothing();

/** Claims one row by id if it is due (a reply's first try, right after its commit). */
export async function claimOne(db: Db, id: string, now: number, leaseMs: number): Promise<OutboxRow | undefined> {
  const [row] = await db
    .update(outbox)
    .set({ dueAt: now + leaseMs, attempts: sql`${outbox.attempts} + 1` })
    .where(and(eq(outbox.id, id), eq(outbox.status, "pending"), lte(outbox.dueAt, now)))
    .returning();
  return row;
}

/** Claims at most `limit` due rows for `leaseMs`; each claim counts as an attempt. */
export async function claimOutbox(db: Db, now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const due = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.status, "pending"), lte(outbox.dueAt, now)))
    .orderBy(asc(outbox.dueAt))
    .limit(limit);
  return db
    .update(outbox)
    .set({ dueAt: now + leaseMs, attempts: sql`${outbox.attempts} + 1` })
    .where(and(inArray(outbox.id, due), eq(outbox.status, "pending"), lte(outbox.dueAt, now)))
    .returning();
}

export const markSent = (db: Db, id: string, messageId: string, now: number) =>
  db.update(outbox).set({ status: "sent", messageId, sentAt: now, lastError: null }).where(eq(outbox.id, id));

/** A failed try: due again after `retryAt`, or failed for good when it is null. */
export const markFailed = (db: Db, id: string, error: string, retryAt: number | null) =>
  db
    .update(outbox)
    .set(retryAt === null ? { status: "failed", lastError: error } : { dueAt: retryAt, lastError: error })
    .where(eq(outbox.id, id));

/** Queues a failed reply again, due now; undefined when that item has no failed email. */
export async function retryReplyEmail(db: Db, conversationId: string, seq: number, now: number) {
  const [row] = await db
    .update(outbox)
    .set({ status: "pending", attempts: 0, dueAt: now, lastError: null })
    .where(and(eq(outbox.conversationId, conversationId), eq(outbox.seq, seq), eq(outbox.status, "failed")))
    .returning({
      id: outbox.id,
      seq: outbox.seq,
      status: outbox.status,
      attempts: outbox.attempts,
      error: outbox.lastError,
    });
  return row;
}

/** The delivery of a conversation's emailed replies, by seq. */
export async function replyDeliveries(db: Db, conversationId: string) {
  return db
    .select({ seq: outbox.seq, status: outbox.status, attempts: outbox.attempts, error: outbox.lastError })
    .from(outbox)
    .where(eq(outbox.conversationId, conversationId))
    .orderBy(asc(outbox.seq));
}

/**
 * The Message-IDs of a conversation before `beforeSeq`, oldest first: those
 * that came in (stored on the items) and those Email Service gave our replies.
 * Forwards are not the customer's thread: their ids never go to the customer.
 */
export async function threadMessageIds(db: Db, conversationId: string, beforeSeq: number): Promise<string[]> {
  const [incoming, outgoing] = await Promise.all([
    db
      .select({ seq: timelineItems.seq, messageId: timelineItems.messageId })
      .from(timelineItems)
      .where(
        and(
          eq(timelineItems.conversationId, conversationId),
          isNotNull(timelineItems.messageId),
          sql`${timelineItems.seq} < ${beforeSeq}`,
        ),
      ),
    db
      .select({ seq: outbox.seq, messageId: outbox.messageId })
      .from(outbox)
      .where(
        and(
          eq(outbox.conversationId, conversationId),
          eq(outbox.kind, "reply"),
          isNotNull(outbox.messageId),
          sql`${outbox.seq} < ${beforeSeq}`,
        ),
      ),
  ]);
  return [...incoming, ...outgoing].sort((a, b) => a.seq - b.seq).map((r) => r.messageId!);
}

/**
 * Conversations in an inbox holding any of these Message-IDs, in or out; ids
 * passed as one JSON parameter. A forward's id is not among them: an answer
 * to a forward never joins the customer's thread (see `forwardsByMessageId`).
 */
export async function conversationsByMessageId(db: Db, inboxId: string, ids: string[]) {
  if (!ids.length) return [];
  const list = JSON.stringify(ids);
  const rows = await db.all<{ conversationId: string; messageId: string }>(sql`
    SELECT t.conversation_id AS conversationId, t.message_id AS messageId FROM timeline_items t
      JOIN conversations c ON c.id = t.conversation_id
      WHERE t.message_id IN (SELECT value FROM json_each(${list})) AND c.inbox_id = ${inboxId}
    UNION ALL
    SELECT o.conversation_id, o.message_id FROM outbox o
      JOIN conversations c ON c.id = o.conversation_id
      WHERE o.message_id IN (SELECT value FROM json_each(${list})) AND c.inbox_id = ${inboxId} AND o.kind = 'reply'`);
  return rows;
}

/** A sent forward as an answer finds it: its outbox row and the conversation's workspace. */
export interface SentForward {
  id: string;
  conversationId: string;
  seq: number;
  messageId: string | null;
  workspaceId: string;
}

const forwardColumns = sql`o.id AS id, o.conversation_id AS conversationId, o.seq AS seq,
  o.message_id AS messageId, c.workspace_id AS workspaceId`;

/** The forwards whose Message-ID is among `ids` (ids as one JSON parameter). */
export async function forwardsByMessageId(db: Db, ids: string[]): Promise<SentForward[]> {
  if (!ids.length) return [];
  return db.all<SentForward>(sql`
    SELECT ${forwardColumns} FROM outbox o JOIN conversations c ON c.id = o.conversation_id
      WHERE o.kind = 'forward' AND o.message_id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`);
}

/** One forward by its outbox id (the reply address names it). */
export async function forwardById(db: Db, id: string): Promise<SentForward | undefined> {
  const [row] = await db.all<SentForward>(sql`
    SELECT ${forwardColumns} FROM outbox o JOIN conversations c ON c.id = o.conversation_id
      WHERE o.kind = 'forward' AND o.id = ${id}`);
  return row;
}

/** Remembers a forward's recipients for the dialog's suggestions; part of the forward's batch (≤ 10 rows). */
export const rememberRecipients = (db: Db, workspaceId: string, emails: string[], now: number) =>
  db
    .insert(forwardRecipients)
    .values(emails.map((email) => ({ workspaceId, email, uses: 1, lastUsedAt: now })))
    .onConflictDoUpdate({
      target: [forwardRecipients.workspaceId, forwardRecipients.email],
      set: { uses: sql`${forwardRecipients.uses} + 1`, lastUsedAt: sql`excluded.last_used_at` },
    });

/**
 * Earlier recipients in the workspace whose address contains `q` (instr, not
 * LIKE: no pattern characters to escape, no pattern length limit), those
 * starting with it first, then the most used and most recent.
 */
export async function recipientSuggestions(db: Db, workspaceId: string, q: string, limit: number) {
  const needle = q.toLowerCase();
  return db
    .select({ email: forwardRecipients.email, uses: forwardRecipients.uses, lastUsedAt: forwardRecipients.lastUsedAt })
    .from(forwardRecipients)
    .where(
      and(
        eq(forwardRecipients.workspaceId, workspaceId),
        needle ? sql`instr(${forwardRecipients.email}, ${needle}) > 0` : undefined,
      ),
    )
    .orderBy(
      sql`instr(${forwardRecipients.email}, ${needle}) = 1 DESC`,
      desc(forwardRecipients.uses),
      desc(forwardRecipients.lastUsedAt),
    )
    .limit(limit);
}
