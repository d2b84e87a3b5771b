import { and, asc, desc, eq, gt, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Access, Conversation, Link, ListQuery, Summary } from "../../contract";
import { seesEveryInbox } from "../../domain/access";
import { STATUS_OF_VIEW } from "../../domain/list-views";
import type { Actor } from "../../env";
import { AppError } from "../../errors";
import { base64url, fromBase64url } from "../../lib/ids";
import { iso, isoOrNull } from "../../lib/time";
import type { Db } from "../client";
import {
  contacts,
  conversations,
  conversationTags,
  followers,
  inboxes,
  links,
  mentions,
  tags,
  tickets,
  timelineItems,
  users,
} from "../schema";
import { inJson } from "../chunks";
import { linkedConversationIds, toItemFor } from "./items";

const summaryFields = {
  id: conversations.id,
  subject: conversations.subject,
  status: conversations.status,
  priority: conversations.priority,
  inboxId: conversations.inboxId,
  channel: inboxes.channel,
  contactId: contacts.id,
  contactName: contacts.name,
  contactEmail: contacts.email,
  contactEmailVerified: contacts.emailVerified,
  assigneeId: conversations.assigneeId,
  assigneeName: users.name,
  teamId: conversations.teamId,
  preview: conversations.preview,
  lastActivityAt: conversations.lastActivityAt,
  createdAt: conversations.createdAt,
  snoozedUntil: conversations.snoozedUntil,
  lastSeq: conversations.lastSeq,
  mergedInto: conversations.mergedInto,
  workspaceId: conversations.workspaceId,
  slaKind: conversations.slaKind,
  slaStartedAt: conversations.slaStartedAt,
  slaDueAt: conversations.slaDueAt,
  slaBreached: conversations.slaBreached,
  firstResponseAt: conversations.firstResponseAt,
  firstResponseSeconds: conversations.firstResponseSeconds,
  repliesCount: conversations.repliesCount,
  resolvedAt: conversations.resolvedAt,
  resolutionSeconds: conversations.resolutionSeconds,
  reopenCount: conversations.reopenCount,
  tags: sql<string>`(SELECT json_group_array(t.name) FROM conversation_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.conversation_id = ${conversations.id})`,
};

export function toSummary(row: SummaryRow): Summary {
  return {
    id: row.id,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    inboxId: row.inboxId,
    channel: row.channel,
    contact: {
      id: row.contactId,
      name: row.contactName,
      email: row.contactEmail,
      emailVerified: row.contactEmailVerified,
    },
    assignee: row.assigneeId && row.assigneeName ? { id: row.assigneeId, name: row.assigneeName } : null,
    teamId: row.teamId,
    tags: JSON.parse(row.tags ?? "[]") as string[],
    preview: row.preview,
    lastActivityAt: iso(row.lastActivityAt),
    createdAt: iso(row.createdAt),
    snoozedUntil: isoOrNull(row.snoozedUntil),
    sla:
      row.slaKind && row.slaDueAt !== null
        ? {
            kind: row.slaKind,
            startedAt: iso(row.slaStartedAt ?? row.createdAt),
            dueAt: iso(row.slaDueAt),
            breached: row.slaBreached,
          }
        : null,
  };
}

export const summaries = (db: Db) =>
  db
    .select(summaryFields)
    .from(conversations)
    .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(users, eq(users.id, conversations.assigneeId));

type SummaryRow = Awaited<ReturnType<typeof summaries>>[number];

export type ConversationRow = typeof conversations.$inferSelect;

/** The bare conversation row, for access checks and the room's state. */
export async function findConversation(db: Db, id: string): Promise<ConversationRow | undefined> {
  return db.query.conversations.findFirst({ where: eq(conversations.id, id) });
}

/** Merges chain at most this far (each merge needs its target unmerged, so in practice one step). */
const MAX_MERGE_HOPS = 8;

/** The conversation that holds `conversation` now: itself, or where merges took it. */
export async function followMerges(db: Db, conversation: ConversationRow): Promise<ConversationRow> {
  let current = conversation;
  for (let hop = 0; current.mergedInto && hop < MAX_MERGE_HOPS; hop++) {
    const next = await findConversation(db, current.mergedInto);
    if (!next) break;
    current = next;
  }
  return current;
}

export async function getSummary(db: Db, id: string): Promise<Summary | null> {
  const [row] = await summaries(db).where(eq(conversations.id, id)).limit(1);
  return row ? toSummary(row) : null;
}

/** The summaries of `ids` (at most a page of them), in one query, by id. */
export async function getSummaries(db: Db, ids: readonly string[]): Promise<Map<string, Summary>> {
  if (!ids.length) return new Map();
  const rows = await summaries(db).where(inJson(conversations.id, ids));
  return new Map(rows.map((row) => [row.id, toSummary(row)]));
}

/** The bare rows of `ids` in one workspace, in one query, by id. */
export async function findConversations(db: Db, workspaceId: string, ids: readonly string[]) {
  const rows = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.workspaceId, workspaceId), inJson(conversations.id, ids)));
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Summary plus followers, links and the last seq: the conversation page's
 * header. `canSee` filters links to conversations in inboxes the reader cannot
 * see: their existence must not show.
 */
export async function getConversation(
  db: Db,
  id: string,
  canSee: (inboxId: string) => boolean,
): Promise<Conversation | null> {
  const [[row], followerRows, linkRows] = await Promise.all([
    summaries(db).where(eq(conversations.id, id)).limit(1),
    db
      .select({ id: users.id, name: users.name })
      .from(followers)
      .innerJoin(users, eq(users.id, followers.userId))
      .where(eq(followers.conversationId, id))
      .orderBy(asc(followers.createdAt)),
    getLinks(db, id),
  ]);
  if (!row) return null;
  return {
    ...toSummary(row),
    followers: followerRows,
    links: visibleLinks(linkRows, canSee),
    lastSeq: row.lastSeq,
    mergedInto: row.mergedInto,
    metrics: {
      firstResponseAt: isoOrNull(row.firstResponseAt),
      firstResponseSeconds: row.firstResponseSeconds,
      replies: row.repliesCount,
      resolvedAt: isoOrNull(row.resolvedAt),
      resolutionSeconds: row.resolutionSeconds,
      reopened: row.reopenCount,
    },
  };
}

/** A link with the inbox of the conversation it points to (null for tickets), for access filtering. */
export type ScopedLink = { link: Link; inboxId: string | null };

export const visibleLinks = (rows: ScopedLink[], canSee: (inboxId: string) => boolean): Link[] =>
  rows.filter((r) => r.inboxId === null || canSee(r.inboxId)).map((r) => r.link);

/** Links seen from one conversation: the ones it made, and conversations that linked to it. */
export async function getLinks(db: Db, id: string): Promise<ScopedLink[]> {
  const other = alias(conversations, "other");
  const rows = await db
    .select({
      id: links.id,
      fromId: links.conversationId,
      targetId: links.targetConversationId,
      otherId: other.id,
      otherSubject: other.subject,
      otherPreview: other.preview,
      otherStatus: other.status,
      otherInboxId: other.inboxId,
      ticketId: tickets.id,
      ticketTitle: tickets.title,
      ticketStatus: tickets.status,
    })
    .from(links)
    .leftJoin(
      other,
      sql`${other.id} = CASE WHEN ${links.conversationId} = ${id} THEN ${links.targetConversationId} ELSE ${links.conversationId} END`,
    )
    .leftJoin(tickets, eq(tickets.id, links.ticketId))
    .where(or(eq(links.conversationId, id), eq(links.targetConversationId, id)))
    .orderBy(asc(links.createdAt));
  return rows.map((r) =>
    r.ticketId
      ? {
          link: { id: r.id, ticket: { id: r.ticketId, title: r.ticketTitle!, status: r.ticketStatus! } },
          inboxId: null,
        }
      : {
          link: {
            id: r.id,
            conversation: {
              id: r.otherId!,
              subject: r.otherSubject,
              preview: r.otherPreview ?? "",
              status: r.otherStatus!,
            },
          },
          inboxId: r.otherInboxId,
        },
  );
}

/** A page of the timeline as a reader who sees the inboxes `canSee` accepts gets it (see `toItem`). */
export async function getTimeline(
  db: Db,
  id: string,
  after: number,
  limit: number,
  canSee: (inboxId: string) => boolean,
) {
  const rows = await db
    .select()
    .from(timelineItems)
    .where(and(eq(timelineItems.conversationId, id), gt(timelineItems.seq, after)))
    .orderBy(asc(timelineItems.seq))
    .limit(limit);
  const named = linkedConversationIds(rows);
  const inboxOf = new Map<string, string>();
  if (named.length) {
    const found = await db
      .select({ id: conversations.id, inboxId: conversations.inboxId })
      .from(conversations)
      .where(sql`${conversations.id} IN (SELECT value FROM json_each(${JSON.stringify(named)}))`);
    for (const c of found) inboxOf.set(c.id, c.inboxId);
  }
  const sees = (conversationId: string) => {
    const inboxId = inboxOf.get(conversationId);
    return inboxId !== undefined && canSee(inboxId);
  };
  return rows.map((row) => toItemFor(row, sees));
}

/** A keyset position: a time and an id, newest first. */
export type Cursor = [at: number, id: string];

export function encodeCursor(cursor: Cursor): string {
  return base64url(new TextEncoder().encode(JSON.stringify(cursor)));
}

export function decodeCursor(text: string): Cursor {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(text)));
    if (Array.isArray(value) && Number.isSafeInteger(value[0]) && typeof value[1] === "string")
      return [value[0], value[1]];
  } catch {
    // fall through to the validation error
  }
  throw new AppError("validation_failed", "The cursor is not one this server gave out", [
    { path: ["cursor"], message: "invalid cursor" },
  ]);
}

/**
 * One page of a list view, newest activity first, by keyset on (last activity, id).
 * Which conversations belong is defined by `inView` (domain/list-views.ts);
 * this is its indexed form, and test/worker/list-views.test.ts holds them together.
 *
 * The conditions are shaped so SQLite walks one sort-aware index: each view's
 * equality columns lead an index whose tail is (last_activity_at, id). The
 * access filter is written `+inbox_id IN (…)` so it never tempts the planner
 * into an inbox index followed by a sort.
 */
export async function listConversations(
  db: Db,
  actor: Actor,
  grants: Map<string, Access>,
  query: ListQuery,
): Promise<{ items: Summary[]; nextCursor: string | null }> {
  const built = await buildListQuery(db, actor, grants, query);
  if (!built) return { items: [], nextCursor: null };
  const rows = await built.query;
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const lastAt = query.view === "breaching" ? last?.slaDueAt : last?.lastActivityAt;
  const nextCursor =
    rows.length > query.limit && last && typeof lastAt === "number" ? encodeCursor([lastAt, last.id]) : null;
  return { items: page.map(toSummary), nextCursor };
}

/**
 * The page's query (limit + 1 rows, to know whether there is a next page), or
 * null when the answer is known to be empty. Wrapped in an object: a drizzle
 * query is a thenable, and returning it bare from an async function would run it.
 */
export async function buildListQuery(db: Db, actor: Actor, grants: Map<string, Access>, query: ListQuery) {
  if (query.inboxId && !grants.has(query.inboxId)) return null;
  if (!grants.size) return null;

  // Following and Mentioned are driven by their per-user tables, a tag filter by
  // conversation_tags: each carries copies of status and last activity to page on.
  let tagId: string | undefined;
  if (query.tag) {
    const [tag] = await db
      .select({ id: tags.id })
      .from(tags)
      .where(and(eq(tags.workspaceId, actor.workspaceId), sql`lower(${tags.name}) = ${query.tag.toLowerCase()}`));
    if (!tag) return null;
    tagId = tag.id;
  }
  const userDriver =
    query.view === "following"
      ? {
          table: followers,
          at: followers.lastActivityAt,
          id: followers.conversationId,
          key: eq(followers.userId, actor.id),
        }
      : query.view === "mentioned"
        ? {
            table: mentions,
            at: mentions.lastActivityAt,
            id: mentions.conversationId,
            key: eq(mentions.userId, actor.id),
          }
        : null;
  const breaching = query.view === "breaching";
  const status = STATUS_OF_VIEW[query.view as keyof typeof STATUS_OF_VIEW];
  const driver =
    userDriver ??
    (tagId && !breaching
      ? {
          table: conversationTags,
          at: conversationTags.lastActivityAt,
          id: conversationTags.conversationId,
          key: and(eq(conversationTags.tagId, tagId), eq(conversationTags.status, status))!,
        }
      : null);
  // Breaching pages by the clock due first, ascending; every other view by the newest activity.
  const at = breaching ? conversations.slaDueAt : (driver?.at ?? conversations.lastActivityAt);
  const idCol = driver?.id ?? conversations.id;

  const where: SQL[] = [];
  if (driver) where.push(driver.key);
  // Written as the partial indexes' own condition, so SQLite walks one of them.
  else if (breaching) where.push(sql`${conversations.slaDueAt} IS NOT NULL`);
  else where.push(eq(conversations.status, status));
  if ((userDriver || breaching) && tagId) {
    where.push(
      sql`EXISTS (SELECT 1 FROM ${conversationTags} WHERE ${conversationTags.conversationId} = ${conversations.id} AND ${conversationTags.tagId} = ${tagId})`,
    );
  }
  if (query.view === "mine") where.push(eq(conversations.assigneeId, actor.id));
  if (query.view === "unassigned") where.push(isNull(conversations.assigneeId));
  if (query.assigneeId && query.view !== "mine") where.push(eq(conversations.assigneeId, query.assigneeId));
  if (query.teamId) where.push(eq(conversations.teamId, query.teamId));
  if (query.priority) where.push(eq(conversations.priority, query.priority));
  if (query.inboxId) where.push(eq(conversations.inboxId, query.inboxId));
  else {
    // Views of the whole workspace walk its (workspace, status, activity) index;
    // driven views are already scoped by their user or tag.
    if (!driver) where.push(eq(conversations.workspaceId, actor.workspaceId));
    if (!seesEveryInbox(actor.role)) {
      where.push(
        sql`+${conversations.inboxId} IN (SELECT value FROM json_each(${JSON.stringify([...grants.keys()])}))`,
      );
    }
  }
  if (query.cursor) {
    const [cursorAt, cursorId] = decodeCursor(query.cursor);
    where.push(
      breaching
        ? sql`(${at}, ${idCol}) > (${cursorAt}, ${cursorId})`
        : sql`(${at}, ${idCol}) < (${cursorAt}, ${cursorId})`,
    );
  }

  const base = driver
    ? db
        .select(summaryFields)
        .from(driver.table)
        .innerJoin(conversations, eq(conversations.id, driver.id))
        .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
        .innerJoin(contacts, eq(contacts.id, conversations.contactId))
        .leftJoin(users, eq(users.id, conversations.assigneeId))
    : summaries(db);
  return {
    query: base
      .where(and(...where))
      .orderBy(...(breaching ? [asc(at), asc(idCol)] : [desc(at), desc(idCol)]))
      .limit(query.limit + 1),
  };
}
