import { and, asc, desc, eq, gt, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Access, Conversation, Link, ListQuery, Summary } from "../../contract";
import type { Actor } from "../../env";
import { AppError } from "../../errors";
import { base64url, fromBase64url } from "../../lib/ids";
import { iso, isoOrNull } from "../../lib/time";
import type { Db } from "../client";
import { contacts, conversations, followers, inboxes, links, tags, tickets, timelineItems, users } from "../schema";
import { inJson } from "../chunks";
import { linkedConversationIds, toItemFor } from "./items";
import { planList, scanBudget } from "./list-plan";

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
 * One page of a list view, newest activity first (Breaching: due first), by
 * keyset on (time, id). Which conversations belong is defined by `inView`
 * (domain/list-views.ts); this is its indexed form, and
 * test/worker/list-views.test.ts and list-paging.test.ts hold them together.
 *
 * The page is read in one of three shapes (see list-plan.ts): a walk of one
 * sort-aware index that stops after the page; for an agent with few inboxes, a
 * merge of one such walk per inbox; or, when a condition no index answers could
 * skip any number of rows, a walk of at most a budget of index rows, so a page
 * may come back short with a cursor where the walk stopped. Either way a page
 * reads at most about three index rows per row it lists.
 */
export async function listConversations(
  db: Db,
  actor: Actor,
  grants: Map<string, Access>,
  query: ListQuery,
): Promise<{ items: Summary[]; nextCursor: string | null }> {
  const built = await buildListQuery(db, actor, grants, query);
  if (!built) return { items: [], nextCursor: null };
  if (built.mode === "page") {
    const rows = await built.query;
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const lastAt = query.view === "breaching" ? last?.slaDueAt : last?.lastActivityAt;
    const nextCursor =
      rows.length > query.limit && last && typeof lastAt === "number" ? encodeCursor([lastAt, last.id]) : null;
    return { items: page.map(toSummary), nextCursor };
  }
  const walked: ListKey[] = await built.query;
  const listed = built.mode === "scan" ? walked.filter((k) => k.hit) : walked;
  const page = listed.slice(0, query.limit);
  const byId = await getSummaries(
    db,
    page.map((k) => k.id),
  );
  const items = page.flatMap((k) => byId.get(k.id) ?? []);
  // A full page continues after its last row; a scan that spent its budget continues where it stopped.
  const resume =
    listed.length > query.limit
      ? page.at(-1)
      : built.mode === "scan" && walked.length >= built.budget
        ? walked.at(-1)
        : undefined;
  return { items, nextCursor: resume ? encodeCursor([resume.at, resume.id]) : null };
}

/** The arms' union in order, limited: SQLite merges the ordered arms and stops at the limit. */
function mergeArms(arms: SQL[], ascending: boolean, limit: number): SQL {
  const dir = ascending ? sql`ASC` : sql`DESC`;
  return sql`${sql.join(arms, sql` UNION ALL `)} ORDER BY at ${dir}, id ${dir} LIMIT ${limit}`;
}

/** A walked row of a merge or a scan: its keyset position, and (scans) whether it belongs in the page. */
type ListKey = { id: string; at: number; hit?: number };

/**
 * The page's query (limit + 1 rows, to know whether there is a next page), or
 * null when the answer is known to be empty. Wrapped in an object: a drizzle
 * query is a thenable, and returning it bare from an async function would run it.
 * "page" returns summaries; "merge" and "scan" return keys (see ListKey), whose
 * summaries are read by id.
 */
export async function buildListQuery(db: Db, actor: Actor, grants: Map<string, Access>, query: ListQuery) {
  if (query.inboxId && !grants.has(query.inboxId)) return null;
  if (!grants.size) return null;

  let tagId: string | undefined;
  if (query.tag) {
    const [tag] = await db
      .select({ id: tags.id })
      .from(tags)
      .where(and(eq(tags.workspaceId, actor.workspaceId), sql`lower(${tags.name}) = ${query.tag.toLowerCase()}`));
    if (!tag) return null;
    tagId = tag.id;
  }
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const plan = planList({ actor, grants, query, tagId, cursor });
  const direction = plan.ascending ? asc : desc;

  if (plan.mode === "merge") {
    const merged = db.all<ListKey>(mergeArms(plan.arms, plan.ascending, query.limit + 1));
    return { mode: plan.mode, query: Object.assign(merged, { toSQL: () => merged.getQuery() }) };
  }
  const { walk } = plan;
  if (plan.mode === "scan") {
    const budget = scanBudget(query.limit, walk.costPerRow);
    const hit = sql<number>`CASE WHEN ${and(...walk.residual)} THEN 1 ELSE 0 END`;
    const select = db
      .select({ id: sql<string>`${walk.id}`, at: sql<number>`${walk.at}`, hit })
      .from(walk.table as typeof followers)
      .$dynamic();
    const joined =
      walk.onConversations || !walk.readsRow
        ? select
        : select.innerJoin(conversations, eq(conversations.id, sql`${walk.id}`));
    return {
      mode: plan.mode,
      budget,
      query: joined
        .where(and(...walk.key))
        .orderBy(direction(walk.at), direction(walk.id))
        .limit(budget),
    };
  }
  const base = walk.onConversations
    ? summaries(db)
    : db
        .select(summaryFields)
        .from(walk.table as typeof followers)
        .innerJoin(conversations, eq(conversations.id, sql`${walk.id}`))
        .innerJoin(inboxes, eq(inboxes.id, conversations.inboxId))
        .innerJoin(contacts, eq(contacts.id, conversations.contactId))
        .leftJoin(users, eq(users.id, conversations.assigneeId));
  return {
    mode: plan.mode,
    query: base
      .where(and(...walk.key))
      .orderBy(direction(walk.at), direction(walk.id))
      .limit(query.limit + 1),
  };
}
