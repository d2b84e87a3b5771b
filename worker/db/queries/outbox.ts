/**
 * The outbox: outgoing reply email as rows written with the reply itself.
 * The sweep claims due rows with one `UPDATE … RETURNING` whose lease moves
 * `due_at` ahead, so overlapping runs never take the same row.
 */
import { and, asc, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { Db } from "../client";
import { outbox, timelineItems } from "../schema";

export type OutboxRow = typeof outbox.$inferSelect;

/** The insert that queues a reply's email; part of the reply's own batch. */
export const queueReplyEmail = (db: Db, row: { id: string; conversationId: string; seq: number; now: number }) =>
  db
    .insert(outbox)
    .values({
      id: row.id,
      kind: "reply",
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
        and(eq(outbox.conversationId, conversationId), isNotNull(outbox.messageId), sql`${outbox.seq} < ${beforeSeq}`),
      ),
  ]);
  return [...incoming, ...outgoing].sort((a, b) => a.seq - b.seq).map((r) => r.messageId!);
}

/** Conversations in an inbox holding any of these Message-IDs, in or out; ids passed as one JSON parameter. */
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
      WHERE o.message_id IN (SELECT value FROM json_each(${list})) AND c.inbox_id = ${inboxId}`);
  return rows;
}
