/**
 * After someone's access changed: the conversations they follow or are
 * assigned to but can no longer see (or reply in, for an assignee) ask their
 * rooms to drop them, a bounded batch per run. A review ends when nothing is
 * left, unless a newer change asked for another.
 */
import { and, eq, isNull, ne, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { accessReviews, conversations, followers, inboxAccess } from "../db/schema";
import { getConversationRoom } from "../rooms/conversation-room";

/** Users reviewed per run; each review asks at most `limit` rooms. */
const REVIEWS_PER_RUN = 5;

export async function reviewAccess(db: Db, env: Env, limit: number): Promise<number> {
  const reviews = await db.select().from(accessReviews).orderBy(accessReviews.requestedAt).limit(REVIEWS_PER_RUN);
  let dropped = 0;
  for (const review of reviews) {
    const ids = await conversationsToDrop(db, review.userId, limit);
    for (const id of ids) {
      const result = await getConversationRoom(env, id).dropWithoutAccess(id);
      if (result.ok && result.value.changed) dropped++;
    }
    if (ids.length < limit) {
      await db
        .delete(accessReviews)
        .where(and(eq(accessReviews.userId, review.userId), eq(accessReviews.requestedAt, review.requestedAt)));
    }
  }
  return dropped;
}

/** Up to `limit` conversations where the user follows without seeing the inbox, or is assigned without reply. */
async function conversationsToDrop(db: Db, userId: string, limit: number): Promise<string[]> {
  const grant = and(eq(inboxAccess.userId, userId), eq(inboxAccess.inboxId, conversations.inboxId));
  const admin = sql`(SELECT role FROM users WHERE id = ${userId}) = 'admin'`;
  const followed = await db
    .select({ id: conversations.id })
    .from(followers)
    .innerJoin(conversations, eq(conversations.id, followers.conversationId))
    .leftJoin(inboxAccess, grant)
    .where(and(eq(followers.userId, userId), isNull(inboxAccess.access), sql`NOT ${admin}`))
    .limit(limit);
  const assigned = await db
    .select({ id: conversations.id })
    .from(conversations)
    .leftJoin(inboxAccess, grant)
    .where(
      and(
        eq(conversations.assigneeId, userId),
        or(isNull(inboxAccess.access), ne(inboxAccess.access, "reply")),
        sql`NOT ${admin}`,
      ),
    )
    .limit(limit);
  return [...new Set([...followed, ...assigned].map((r) => r.id))].slice(0, limit);
}
