// Rows read, as D1 counts them (`meta.rows_read`), for the exact SQL the list
// endpoint runs: buildListQuery from worker/db/queries/conversations.ts (loaded
// through tsx) turns the query into SQL with drizzle's .toSQL(), and the local
// D1 binding of wrangler's getPlatformProxy (the same workerd D1 as
// `wrangler dev`, on the same --persist-to folder) runs it with .all(), whose
// meta carries rows_read. Run only while no wrangler dev uses the folder.

import { register } from "tsx/esm/api";
import { getPlatformProxy } from "wrangler";
import { ROOT } from "../../scripts/lib/server.mjs";
import path from "node:path";

register();
const mod = (p) => import(path.join(ROOT, p));

/** The page query without its joins and select list: only the driving index walk (and the row lookups its WHERE needs). */
export function driverOnly(sqlText) {
  const m = sqlText.match(/^select (.*?) from ("\w+")(.*?) where (.*)$/s);
  if (!m) return null;
  const [, , from, joins, rest] = m;
  // Keep the join to conversations when the driver is a per-user or tag table: the WHERE may use its columns.
  const keepConv =
    from !== '"conversations"' ? (joins.match(/inner join "conversations" on [^ ]+ = [^ ]+/)?.[0] ?? "") : "";
  return `select 1 from ${from} ${keepConv} where ${rest}`;
}

export async function openRows(stateDir) {
  const { env, dispose } = await getPlatformProxy({
    configPath: path.join(ROOT, "wrangler.toml"),
    persist: { path: path.join(stateDir, "v3") },
  });
  const [{ getDb }, convQ, { grantsFor }, { ListQuery }, schema, orm] = await Promise.all([
    mod("worker/db/client.ts"),
    mod("worker/db/queries/conversations.ts"),
    mod("worker/db/queries/access.ts"),
    mod("worker/contract/index.ts"),
    mod("worker/db/schema.ts"),
    import("drizzle-orm"),
  ]);
  const db = getDb(env.DB);

  async function run(sqlText, params) {
    const res = await env.DB.prepare(sqlText)
      .bind(...params)
      .all();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sqlText}`)
      .bind(...params)
      .all();
    return { rowsRead: res.meta.rows_read, rows: res.results.length, plan: plan.results.map((r) => r.detail) };
  }

  /** Rows read by the page query for one list case; returns the next cursor as the endpoint would. */
  async function listPage(actor, queryInput) {
    const grants = await grantsFor(db, actor);
    const query = ListQuery.parse(queryInput);
    const built = await convQ.buildListQuery(db, actor, grants, query);
    if (!built) return { empty: true };
    const { sql: text, params } = built.query.toSQL();
    const page = await run(text, params);
    const drv = driverOnly(text);
    const driver = drv ? await run(drv, params) : null;
    const { nextCursor } = await convQ.listConversations(db, actor, grants, query);
    return {
      sql: text,
      params,
      ...page,
      driverRowsRead: driver?.rowsRead ?? null,
      driverPlan: driver?.plan ?? null,
      nextCursor,
    };
  }

  /** The cursor after `pages` pages, walked in-process. */
  async function cursorAfter(actor, queryInput, pages) {
    const grants = await grantsFor(db, actor);
    let cursor;
    let walked = 0;
    for (; walked < pages; walked++) {
      const r = await convQ.listConversations(
        db,
        actor,
        grants,
        ListQuery.parse({ ...queryInput, ...(cursor ? { cursor } : {}) }),
      );
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    return { cursor, pages: walked };
  }

  /** The request's other queries: the grants lookup (session lookup not included: a primary-key lookup). */
  async function grantsRows(actor) {
    const { conversations, inboxes, inboxAccess } = schema;
    const q =
      actor.role === "admin"
        ? db.select({ id: inboxes.id }).from(inboxes).where(orm.eq(inboxes.workspaceId, actor.workspaceId))
        : db
            .select({ inboxId: inboxAccess.inboxId, access: inboxAccess.access })
            .from(inboxAccess)
            .where(orm.eq(inboxAccess.userId, actor.id));
    void conversations;
    const { sql: text, params } = q.toSQL();
    return run(text, params);
  }

  /**
   * The sweep's due-row queries, built with drizzle exactly as in
   * worker/cron/wake-snoozed.ts and worker/cron/auto-resolve.ts (those modules
   * import the Durable Object runtime, so they cannot be loaded here; keep in step).
   */
  async function sweepRows(now, limit) {
    const { conversations, inboxes } = schema;
    const { and, asc, eq, isNotNull, lte } = orm;
    const wake = db
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.status, "snoozed"), lte(conversations.snoozedUntil, now)))
      .orderBy(asc(conversations.snoozedUntil))
      .limit(limit);
    const rulesQ = db
      .select({ id: inboxes.id, days: inboxes.autoResolveDays })
      .from(inboxes)
      .where(isNotNull(inboxes.autoResolveDays));
    const w = wake.toSQL();
    const r = rulesQ.toSQL();
    const wakeRes = await run(w.sql, w.params);
    const rulesRes = await run(r.sql, r.params);
    const rules = await rulesQ;
    let budget = limit;
    const idle = [];
    for (const inbox of rules) {
      if (budget <= 0) break;
      const cutoff = now - inbox.days * 24 * 60 * 60 * 1000;
      const q = db
        .select({ id: conversations.id })
        .from(conversations)
        .where(
          and(
            eq(conversations.inboxId, inbox.id),
            eq(conversations.status, "open"),
            lte(conversations.lastActivityAt, cutoff),
          ),
        )
        .orderBy(asc(conversations.lastActivityAt))
        .limit(budget);
      const s = q.toSQL();
      const res = await run(s.sql, s.params);
      budget -= res.rows;
      idle.push({ inboxId: inbox.id, ...res });
    }
    const count = async (text, params) =>
      (
        await env.DB.prepare(text)
          .bind(...params)
          .first()
      ).c;
    return {
      wakeSnoozed: {
        due: await count("SELECT count(*) c FROM conversations WHERE status = 'snoozed' AND snoozed_until <= ?", [now]),
        ...wakeRes,
      },
      autoResolveRules: rulesRes,
      autoResolve: idle.map((x) => ({ ...x })),
      idleDue: await count(
        "SELECT count(*) c FROM conversations c JOIN inboxes i ON i.id = c.inbox_id WHERE i.auto_resolve_days IS NOT NULL AND c.status = 'open' AND c.last_activity_at <= ? - i.auto_resolve_days * 86400000",
        [now],
      ),
    };
  }

  async function sql(text, params = []) {
    return (
      await env.DB.prepare(text)
        .bind(...params)
        .all()
    ).results;
  }

  return { listPage, cursorAfter, grantsRows, sweepRows, sql, dispose };
}
