/**
 * Merging one conversation into another, planned for the two rooms.
 *
 * The source's room drives it, inside its own write queue: it closes the
 * source (one conditional UPDATE, so of two merges racing the first wins),
 * then asks the target's room to absorb it, then drops the source's own
 * follower, mention and tag rows. The target's room only reads D1 while it
 * absorbs: it never waits on another room. A room waits on another only for
 * a merge it claimed, and a claim is refused while the source is itself the
 * target of a pending merge, or the target is merged: so no two rooms ever
 * wait on each other, and there is no deadlock. Every step can run again
 * (the merges row says how far it got); the minute sweep finishes any merge
 * left pending.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Author } from "../contract";
import { inJson } from "../db/chunks";
import type { Db } from "../db/client";
import type { ItemRow } from "../db/queries/items";
import {
  contacts,
  conversations,
  conversationTags,
  followers,
  links,
  mentions,
  merges,
  tags,
  timelineItems,
} from "../db/schema";
import { eventItem } from "./room-events";
import type { Change, MergedFrom, RoomState } from "./room-writes";

/** A longer timeline is not merged in one batch; the agent is told to tidy it first. */
export const MAX_MERGE_ITEMS = 1000;

/** How a conversation is named on the other side of a merge. */
export async function mergeRef(db: Db, id: string): Promise<MergedFrom | null> {
  const [row] = await db
    .select({ id: conversations.id, subject: conversations.subject, name: contacts.name, email: contacts.email })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, id));
  return row ? { id: row.id, subject: row.subject, contact: row.name || row.email || "A customer" } : null;
}

/**
 * Claims the merge of `source` into `targetId`, in one batch: the source is
 * marked merged only if it is not already, is not the target of a pending
 * merge, and the target is neither merged nor the same contact's… other
 * customer's; the merges row follows the mark. True when this call claimed it.
 */
export async function claimMerge(db: Db, source: RoomState, targetId: string, actor: Author, now: number) {
  const [marked] = await db.batch([
    db
      .update(conversations)
      .set({ mergedInto: targetId, updatedAt: now })
      .where(
        and(
          eq(conversations.id, source.id),
          sql`${conversations.mergedInto} IS NULL`,
          sql`NOT EXISTS (SELECT 1 FROM ${merges} WHERE target_id = ${source.id} AND status = 'pending')`,
          sql`EXISTS (SELECT 1 FROM ${conversations} t WHERE t.id = ${targetId} AND t.merged_into IS NULL
                AND t.contact_id = ${source.contactId} AND t.workspace_id = ${source.workspaceId})`,
        ),
      )
      .returning({ id: conversations.id }),
    db
      .insert(merges)
      .select(
        sql`SELECT ${source.id}, ${targetId}, 'pending', ${actor.id}, ${actor.name}, NULL, NULL, ${now}, NULL
          WHERE EXISTS (SELECT 1 FROM ${conversations} WHERE id = ${source.id} AND merged_into = ${targetId})`,
      )
      .onConflictDoNothing(),
  ]);
  return marked.length > 0;
}

/** The source's last item, "merged into …", and its status; the items stay, read-only. */
export function planClose(into: MergedFrom, actor: Author): Change {
  return {
    items: [eventItem(actor, { type: "merged_into", into })],
    patch: { status: "merged" },
    actorId: actor.id,
  };
}

export interface MergeSource {
  ref: MergedFrom;
  items: ItemRow[];
  followers: string[];
  tags: { id: string; name: string }[];
  actor: Author;
}

/** What the target copies: the source's items in order, its followers and tags (read once the source is closed). */
export async function readSource(db: Db, sourceId: string, actor: Author): Promise<MergeSource | null> {
  const [ref, items, followerRows, tagRows] = await Promise.all([
    mergeRef(db, sourceId),
    db.select().from(timelineItems).where(eq(timelineItems.conversationId, sourceId)).orderBy(asc(timelineItems.seq)),
    db.select({ userId: followers.userId }).from(followers).where(eq(followers.conversationId, sourceId)),
    db
      .select({ id: tags.id, name: tags.name })
      .from(conversationTags)
      .innerJoin(tags, eq(tags.id, conversationTags.tagId))
      .where(eq(conversationTags.conversationId, sourceId)),
  ]);
  if (!ref) return null;
  return { ref, items, followers: followerRows.map((f) => f.userId), tags: tagRows, actor };
}

/**
 * The target's change: a `merged` event, then a copy of each of the source's
 * items but its own closing event, in their order and with their original
 * times; the source's followers and tags; its links moved over; the merges
 * row done. Copies keep their Message-IDs and idempotency keys, so a retried
 * message or a redelivered email finds its copy here (a key the target
 * already holds, `taken`, is left off: it must stay unique).
 */
export function planAbsorb(
  db: Db,
  state: RoomState,
  source: MergeSource,
  taken: ReadonlySet<string>,
  now: number,
): Change {
  const copied = source.items.filter((i) => i.event?.type !== "merged_into");
  const firstSeq = state.lastSeq + 2;
  const S = source.ref.id;
  const T = state.id;
  return {
    items: [
      eventItem(source.actor, { type: "merged", from: source.ref, items: copied.length }),
      ...copied.map((i) => ({
        kind: i.kind,
        body: i.body,
        author: { type: i.authorType, id: i.authorId, name: i.authorName },
        ...(i.event ? { event: i.event } : {}),
        ...(i.attachments ? { attachments: i.attachments } : {}),
        ...(i.messageId ? { messageId: i.messageId } : {}),
        ...(i.idempotencyKey && !taken.has(i.idempotencyKey) ? { idempotencyKey: i.idempotencyKey } : {}),
        createdAt: i.createdAt,
      })),
    ],
    actorId: source.actor.id,
    followersAdded: source.followers.filter((id) => !state.followers.has(id)),
    tagsAdded: source.tags.filter((t) => !state.tags.has(t.id)),
    mergedFrom: source.ref,
    also: [
      // The source's links become the target's, but one between the two or one the target has already.
      db
        .update(links)
        .set({ conversationId: T })
        .where(
          sql`conversation_id = ${S} AND (
            (ticket_id IS NOT NULL AND ticket_id NOT IN (SELECT ticket_id FROM ${links} WHERE conversation_id = ${T} AND ticket_id IS NOT NULL))
            OR (target_conversation_id IS NOT NULL AND target_conversation_id != ${T} AND NOT EXISTS (
              SELECT 1 FROM ${links} l WHERE (l.conversation_id = ${T} AND l.target_conversation_id = links.target_conversation_id)
                OR (l.target_conversation_id = ${T} AND l.conversation_id = links.target_conversation_id))))`,
        ),
      db
        .update(links)
        .set({ targetConversationId: T })
        .where(
          sql`target_conversation_id = ${S} AND conversation_id != ${T} AND NOT EXISTS (
            SELECT 1 FROM ${links} l WHERE (l.conversation_id = ${T} AND l.target_conversation_id = links.conversation_id)
              OR (l.target_conversation_id = ${T} AND l.conversation_id = links.conversation_id))`,
        ),
      db
        .update(merges)
        .set({ status: "done", firstSeq, lastSeq: firstSeq + copied.length - 1, doneAt: now })
        .where(eq(merges.sourceId, S)),
    ],
  };
}

/** After the absorb: the source's rows that put it in Following, Mentioned and tag lists go, and its links. */
export function cleanupWrites(db: Db, sourceId: string) {
  return [
    db.delete(followers).where(eq(followers.conversationId, sourceId)),
    db.delete(mentions).where(eq(mentions.conversationId, sourceId)),
    db.delete(conversationTags).where(eq(conversationTags.conversationId, sourceId)),
    db.delete(links).where(sql`${links.conversationId} = ${sourceId} OR ${links.targetConversationId} = ${sourceId}`),
  ] as const;
}

/** Of the source's idempotency keys, those the target already holds. */
export async function takenKeys(db: Db, targetId: string, source: MergeSource): Promise<Set<string>> {
  const keys = source.items.flatMap((i) => (i.idempotencyKey ? [i.idempotencyKey] : []));
  if (!keys.length) return new Set();
  const rows = await db
    .select({ key: timelineItems.idempotencyKey })
    .from(timelineItems)
    .where(and(eq(timelineItems.conversationId, targetId), inJson(timelineItems.idempotencyKey, keys)));
  return new Set(rows.flatMap((r) => (r.key ? [r.key] : [])));
}
