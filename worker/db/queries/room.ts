/**
 * The reads a conversation's room makes: items for catch-up and collisions,
 * an idempotent retry's first answer, links, and who of its sockets' users
 * may still see which inbox. Every list of ids is chunked to stay inside
 * D1's 100 bound parameters.
 */
import { and, eq, gt, inArray, or } from "drizzle-orm";
import type { Access, ItemKind } from "../../contract";
import { effectiveAccess, seesEveryInbox } from "../../domain/access";
import type { Db } from "../client";
import { inboxAccess, links, timelineItems, users } from "../schema";
import type { ItemRow } from "./items";

/** Items after `seq`, oldest first; only `kinds` when given (a customer's catch-up). */
export function itemsAfter(
  db: Db,
  conversationId: string,
  seq: number,
  kinds?: readonly ItemKind[],
): Promise<ItemRow[]> {
  return db
    .select()
    .from(timelineItems)
    .where(
      and(
        eq(timelineItems.conversationId, conversationId),
        gt(timelineItems.seq, seq),
        kinds ? inArray(timelineItems.kind, [...kinds]) : undefined,
      ),
    )
    .orderBy(timelineItems.seq);
}

/** The item stored under an author-scoped Idempotency-Key, if any. */
export async function itemByKey(db: Db, conversationId: string, key: string): Promise<ItemRow | null> {
  const [row] = await db
    .select()
    .from(timelineItems)
    .where(and(eq(timelineItems.conversationId, conversationId), eq(timelineItems.idempotencyKey, key)));
  return row ?? null;
}

export async function itemAt(db: Db, conversationId: string, seq: number): Promise<ItemRow | null> {
  const [row] = await db
    .select()
    .from(timelineItems)
    .where(and(eq(timelineItems.conversationId, conversationId), eq(timelineItems.seq, seq)));
  return row ?? null;
}

/** A link already joining this conversation to the ticket, or to the other conversation from either side. */
export async function existingLink(
  db: Db,
  conversationId: string,
  to: { ticketId: string } | { conversationId: string },
): Promise<boolean> {
  const where =
    "ticketId" in to
      ? and(eq(links.conversationId, conversationId), eq(links.ticketId, to.ticketId))
      : or(
          and(eq(links.conversationId, conversationId), eq(links.targetConversationId, to.conversationId)),
          and(eq(links.conversationId, to.conversationId), eq(links.targetConversationId, conversationId)),
        );
  return !!(await db.select({ id: links.id }).from(links).where(where).limit(1)).length;
}

/** A link row this conversation owns (it was linked from here). */
export async function ownedLink(db: Db, conversationId: string, linkId: string): Promise<boolean> {
  const where = and(eq(links.id, linkId), eq(links.conversationId, conversationId));
  return !!(await db.select({ id: links.id }).from(links).where(where).limit(1)).length;
}

const CHUNK = 90;

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/** The inboxes each of these users can see: "*" for admins. */
export async function inboxesSeenBy(db: Db, userIds: string[]): Promise<Map<string, Set<string> | "*">> {
  const out = new Map<string, Set<string> | "*">();
  for (const part of chunks([...new Set(userIds)])) {
    const rows = await db
      .select({ id: users.id, role: users.role, inboxId: inboxAccess.inboxId, deactivatedAt: users.deactivatedAt })
      .from(users)
      .leftJoin(inboxAccess, eq(inboxAccess.userId, users.id))
      .where(inArray(users.id, part));
    for (const r of rows) {
      if (r.deactivatedAt !== null) out.set(r.id, new Set());
      else if (seesEveryInbox(r.role)) out.set(r.id, "*");
      else if (out.get(r.id) !== "*") {
        const seen = (out.get(r.id) as Set<string> | undefined) ?? new Set<string>();
        if (r.inboxId) seen.add(r.inboxId);
        out.set(r.id, seen);
      }
    }
  }
  return out;
}

/** The level each of these users holds in one inbox (null: none; admins hold reply), with their names. */
export async function levelsIn(
  db: Db,
  inboxId: string,
  userIds: string[],
): Promise<Map<string, { name: string; level: Access | null; active: boolean }>> {
  const out = new Map<string, { name: string; level: Access | null; active: boolean }>();
  for (const part of chunks([...new Set(userIds)])) {
    const rows = await db
      .select({
        id: users.id,
        name: users.name,
        role: users.role,
        access: inboxAccess.access,
        deactivatedAt: users.deactivatedAt,
      })
      .from(users)
      .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId)))
      .where(inArray(users.id, part));
    for (const r of rows) {
      // A deactivated user holds nothing anywhere.
      const active = r.deactivatedAt === null;
      out.set(r.id, { name: r.name, level: active ? effectiveAccess(r.role, r.access) : null, active });
    }
  }
  return out;
}
