/**
 * How a list page is read: which index drives it, which conditions that index
 * answers (the key) and which it does not (the residual), and so which of three
 * shapes the page query takes. Every shape reads at most about three index rows
 * per row of the page (`npm run bench:lists` measures it):
 *
 * - "page": the index answers every condition, so the query walks it and stops
 *   after the page (limit + 1 rows).
 * - "merge": an agent with few inboxes. One arm per inbox walks that inbox's
 *   index; SQLite merges the ordered arms and stops after limit + 1 rows, so it
 *   reads the page plus one look-ahead row per inbox, however small a slice of
 *   the workspace the agent sees.
 * - "scan": a residual condition (a tag on Following, an agent's inboxes on a
 *   workspace index, a second filter) could skip any number of rows. The query
 *   walks at most a budget of index rows, marks the ones that match, and a
 *   page may come back short, with a cursor where the walk stopped.
 *
 * Which conversations belong is `inView` (domain/list-views.ts); the tests in
 * test/worker/list-views.test.ts and list-paging.test.ts hold the shapes to it.
 */
import { and, eq, isNotNull, isNull, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Access, ListQuery } from "../../contract";
import { seesEveryInbox } from "../../domain/access";
import { STATUS_OF_VIEW } from "../../domain/list-views";
import type { Actor } from "../../env";
import { conversations, conversationTags, followers, inboxAccess, mentions } from "../schema";

/** Index rows a page may read, per row of the page. */
export const ROWS_PER_LISTED = 3;

/**
 * Agents with at most this many inboxes get the per-inbox merge: D1 takes at
 * most 5 terms in one compound SELECT ("too many terms in compound SELECT" at
 * the sixth), and merges nested in subqueries sort their groups instead of
 * merging them (measured: 109 rows read for a page of 26 from 6 arms, 175 from
 * 20). Each arm binds at most 4 parameters, far from D1's 100.
 */
export const MERGE_MAX_INBOXES = 5;

export type Keyset = [at: number, id: string];

export interface ListPlanInput {
  actor: Actor;
  grants: Map<string, Access>;
  query: ListQuery;
  tagId: string | undefined;
  cursor: Keyset | null;
}

/** The table and columns a page walks in order, and the conditions split by whether its index answers them. */
export interface Walk {
  table: typeof conversations | typeof followers | typeof mentions | typeof conversationTags;
  at: SQLWrapper;
  id: SQLWrapper;
  /** Whether the walk's own table is conversations (else conversations is joined by id). */
  onConversations: boolean;
  key: SQL[];
  residual: SQL[];
  /** Whether a scan must read the conversation's row (for the residual). */
  readsRow: boolean;
  /** Index rows a walked row costs: its index entry, the conversation's row when the residual needs it, a tag probe. */
  costPerRow: number;
}

export type ListPlan =
  | { mode: "page" | "scan"; walk: Walk; ascending: boolean }
  | { mode: "merge"; arms: SQL[]; ascending: boolean };

const tagged = (conversationId: SQLWrapper, tagId: string) =>
  sql`EXISTS (SELECT 1 FROM ${conversationTags} WHERE ${conversationTags.conversationId} = ${conversationId} AND ${conversationTags.tagId} = ${tagId})`;

/** The keyset condition after `cursor`, in the walk's direction. */
export const after = (at: SQLWrapper, id: SQLWrapper, cursor: Keyset, ascending: boolean) =>
  ascending ? sql`(${at}, ${id}) > (${cursor[0]}, ${cursor[1]})` : sql`(${at}, ${id}) < (${cursor[0]}, ${cursor[1]})`;

/** The plan for one page (see the file's comment). */
export function planList({ actor, grants, query, tagId, cursor }: ListPlanInput): ListPlan {
  const breaching = query.view === "breaching";
  const ascending = breaching;
  const status = STATUS_OF_VIEW[query.view as keyof typeof STATUS_OF_VIEW];
  const everyInbox = seesEveryInbox(actor.role);
  const assigneeFilter = query.view === "mine" ? null : (query.assigneeId ?? null);
  const narrowed = Boolean(assigneeFilter || query.teamId || query.priority || tagId);

  if (
    !everyInbox &&
    !query.inboxId &&
    !narrowed &&
    grants.size <= MERGE_MAX_INBOXES &&
    query.view !== "mine" &&
    query.view !== "following" &&
    query.view !== "mentioned"
  ) {
    const arms = [...grants.keys()].map((inboxId) => {
      const where: SQL[] = [eq(conversations.inboxId, inboxId)];
      const at = breaching ? conversations.slaDueAt : conversations.lastActivityAt;
      if (breaching) where.push(isNotNull(conversations.slaDueAt));
      else where.push(eq(conversations.status, status));
      if (query.view === "unassigned") where.push(isNull(conversations.assigneeId));
      if (cursor) where.push(after(at, conversations.id, cursor, ascending));
      return sql`SELECT ${conversations.id} AS id, ${at} AS at FROM ${conversations} WHERE ${and(...where)}`;
    });
    return { mode: "merge", arms, ascending };
  }

  const { tagProbe, ...walk } = chooseWalk({ actor, query, tagId, status, assigneeFilter });
  const probesAccess = !everyInbox && !query.inboxId && grants.size > ACCESS_LIST_MAX;
  if (!everyInbox && !query.inboxId) walk.residual.push(visibleTo(actor, grants));
  if (cursor) walk.key.push(after(walk.at, walk.id, cursor, ascending));
  // A residual other than the tag probe reads the conversation's row: joined to a per-user or tag table,
  // or behind its own index entry (which D1 does not count again).
  const readsRow = walk.residual.some((r) => r !== tagProbe);
  const costPerRow = 1 + (readsRow && !walk.onConversations ? 1 : 0) + (tagProbe ? 1 : 0) + (probesAccess ? 1 : 0);
  return { mode: walk.residual.length ? "scan" : "page", walk: { ...walk, readsRow, costPerRow }, ascending };
}

interface WalkInput {
  actor: Actor;
  query: ListQuery;
  tagId: string | undefined;
  status: string;
  assigneeFilter: string | null;
}

type ChosenWalk = Omit<Walk, "costPerRow" | "readsRow"> & { tagProbe: SQL | null };
type Filters = Record<"inbox" | "assignee" | "unassigned" | "team" | "priority", SQL | null>;

/** The index to walk: the view's own table, else the most selective filter with an index; the rest is residual. */
function chooseWalk({ actor, query, tagId, status, assigneeFilter }: WalkInput): ChosenWalk {
  const view = query.view;
  const userTable = view === "following" ? followers : view === "mentioned" ? mentions : null;
  const assignee = view === "mine" ? actor.id : assigneeFilter;
  const filters: Filters = {
    inbox: query.inboxId ? eq(conversations.inboxId, query.inboxId) : null,
    assignee: assignee ? eq(conversations.assigneeId, assignee) : null,
    unassigned: view === "unassigned" ? isNull(conversations.assigneeId) : null,
    team: query.teamId ? eq(conversations.teamId, query.teamId) : null,
    priority: query.priority ? eq(conversations.priority, query.priority) : null,
  };
  // The tag is probed per row where the walk is not the tag's own index.
  const probeOn = userTable ? userTable.conversationId : view === "breaching" ? conversations.id : null;
  const tagProbe = tagId && probeOn ? tagged(probeOn, tagId) : null;
  const byStatus = eq(conversations.status, status as "open");
  const workspace = eq(conversations.workspaceId, actor.workspaceId);

  const walk: Pick<Walk, "table" | "at" | "id" | "key"> & { used: string[] } = userTable
    ? {
        table: userTable,
        at: userTable.lastActivityAt,
        id: userTable.conversationId,
        key: [eq(userTable.userId, actor.id)],
        used: [],
      }
    : view === "breaching"
      ? {
          table: conversations,
          at: conversations.slaDueAt,
          id: conversations.id,
          key: [filters.inbox ?? workspace, isNotNull(conversations.slaDueAt)],
          used: ["inbox"],
        }
      : tagId
        ? {
            table: conversationTags,
            at: conversationTags.lastActivityAt,
            id: conversationTags.conversationId,
            key: [eq(conversationTags.tagId, tagId), eq(conversationTags.status, status as "open")],
            used: [],
          }
        : {
            table: conversations,
            at: conversations.lastActivityAt,
            id: conversations.id,
            ...statusIndex(filters, byStatus, workspace),
          };
  const { used, ...chosen } = walk;
  const residual = Object.entries(filters).flatMap(([name, cond]) => (cond && !used.includes(name) ? [cond] : []));
  if (tagProbe) residual.push(tagProbe);
  return { ...chosen, onConversations: chosen.table === conversations, residual, tagProbe };
}

/**
 * A status view's index for the filters: (inbox, status, …) and its unassigned part; (assignee,
 * status, …); (workspace, status, …) where unassigned; (team, status, …); (workspace, priority,
 * status, …); else (workspace, status, …). `used` names the filters the index answers.
 */
function statusIndex(f: Filters, byStatus: SQL, workspace: SQL): { key: SQL[]; used: string[] } {
  if (f.inbox && f.unassigned) return { key: [f.inbox, byStatus, f.unassigned], used: ["inbox", "unassigned"] };
  if (f.inbox) return { key: [f.inbox, byStatus], used: ["inbox"] };
  if (f.assignee) return { key: [f.assignee, byStatus], used: ["assignee"] };
  if (f.unassigned) return { key: [workspace, byStatus, f.unassigned], used: ["unassigned"] };
  if (f.team) return { key: [f.team, byStatus], used: ["team"] };
  if (f.priority) return { key: [workspace, f.priority, byStatus], used: ["priority"] };
  return { key: [workspace, byStatus], used: [] };
}

/**
 * Up to this many inboxes, an agent's access is a list of bound parameters,
 * which costs no row reads; a longer list would pass D1's 100 parameters (and
 * `json_each` reads one row per element, each page), so the scan probes the
 * agent's grant of each walked row's inbox instead.
 */
export const ACCESS_LIST_MAX = 64;

/** The condition that a conversation is in an inbox the agent sees. */
function visibleTo(actor: Actor, grants: Map<string, Access>): SQL {
  if (grants.size > ACCESS_LIST_MAX)
    return sql`EXISTS (SELECT 1 FROM ${inboxAccess} WHERE ${inboxAccess.inboxId} = ${conversations.inboxId} AND ${inboxAccess.userId} = ${actor.id})`;
  return sql`+${conversations.inboxId} IN (${sql.join(
    [...grants.keys()].map((id) => sql`${id}`),
    sql`, `,
  )})`;
}

/** Rows a scan may walk for a page of `limit`: the budget over the walk's cost per row, never less than a page. */
export const scanBudget = (limit: number, costPerRow: number) =>
  Math.max(limit + 1, Math.floor((ROWS_PER_LISTED * limit) / costPerRow));
