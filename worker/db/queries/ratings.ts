/** Ratings as the customer's side needs them: the resolution a rating is about, and whether it has one. */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { timelineItems } from "../schema";

/** A resolution of a conversation: the seq of its `status_changed → resolved` event, and whether it was rated. */
export interface Resolution {
  seq: number;
  rated: boolean;
}

/** The conversation's latest resolution, or null when it was never resolved (read newest first, by primary key). */
export async function latestResolution(db: Db, conversationId: string): Promise<Resolution | null> {
  const [row] = await db
    .select({
      seq: timelineItems.seq,
      // Spelt out: drizzle leaves a single table's columns unqualified, which the subquery would read as its own.
      rated: sql<number>`EXISTS (SELECT 1 FROM ratings r WHERE r.conversation_id = timeline_items.conversation_id AND r.resolution_seq = timeline_items.seq)`,
    })
    .from(timelineItems)
    .where(
      and(
        eq(timelineItems.conversationId, conversationId),
        eq(timelineItems.kind, "event"),
        sql`json_extract(${timelineItems.event}, '$.type') = 'status_changed'`,
        sql`json_extract(${timelineItems.event}, '$.to') = 'resolved'`,
      ),
    )
    .orderBy(desc(timelineItems.seq))
    .limit(1);
  return row ? { seq: row.seq, rated: Boolean(row.rated) } : null;
}
