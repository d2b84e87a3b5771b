import { and, asc, eq, lte } from "drizzle-orm";
import type { Db } from "../db/client";
import { merges } from "../db/schema";
import { getConversationRoom } from "../rooms/conversation-room";

/** A merge pending this long was cut short (its request failed midway): the sweep finishes it. */
export const MERGE_GRACE_MS = 60_000;

/** Finishes merges the source's room claimed but did not complete; each step runs again safely. */
export async function finishMerges(db: Db, env: Env, now: number, limit: number) {
  const pending = await db
    .select()
    .from(merges)
    .where(and(eq(merges.status, "pending"), lte(merges.createdAt, now - MERGE_GRACE_MS)))
    .orderBy(asc(merges.createdAt))
    .limit(limit);
  let finished = 0;
  for (const m of pending) {
    const actor = { type: "user" as const, id: m.actorId, name: m.actorName };
    const result = await getConversationRoom(env, m.sourceId).merge(m.sourceId, m.targetId, actor);
    if (result.ok) finished++;
    else console.error("merge still pending", m.sourceId, m.targetId, result.error);
  }
  return { pending: pending.length, finished };
}
