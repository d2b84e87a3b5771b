/** Ratings as the customer's side needs them: the resolution a rating is about, and whether it has one. */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { ratings, timelineItems } from "../schema";

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
      rated: sql<number>`EXISTS (SELECT 1 FROM ${ratings} WHERE ${ratings.conversationId} = ${timelineItems.conversationId} AND ${ratings.resolutionSeq} = ${timelineItems.seq})`,
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
