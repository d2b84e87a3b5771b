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
  const [{ getDb }, convQ, { grantsFor }, { ListQuery, ReportQuery }, reportQ, schema, orm] = await Promise.all([
    mod("worker/db/client.ts"),
    mod("worker/db/queries/conversations.ts"),
    mod("worker/db/queries/access.ts"),
    mod("worker/contract/index.ts"),
    mod("worker/reports/query.ts"),
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

  /**
   * Rows read for one list case's page, as the endpoint runs it: "page" (one query; its
   * driving index walk alone measured apart), or "merge" / "scan" (the walk's query,
   * then the page's summaries by id). Returns the next cursor as the endpoint would.
   */
  async function listPage(actor, queryInput) {
    const grants = await grantsFor(db, actor);
    const query = ListQuery.parse(queryInput);
    const built = await convQ.buildListQuery(db, actor, grants, query);
    if (!built) return { empty: true };
    const { sql: text, params } = built.query.toSQL();
    const walk = await run(text, params);
    const { items, nextCursor } = await convQ.listConversations(db, actor, grants, query);
    const common = { mode: built.mode, sql: text, params, listed: items.length, nextCursor };
    if (built.mode === "page") {
      const drv = driverOnly(text);
      const driver = drv ? await run(drv, params) : null;
      return { ...common, ...walk, driverRowsRead: driver?.rowsRead ?? null, driverPlan: driver?.plan ?? null };
    }
    // The summaries of the listed rows, as getSummaries reads them.
    const ids = items.map((c) => c.id);
    const summaries = ids.length
      ? convQ
          .summaries(db)
          .where(orm.sql`${schema.conversations.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`)
          .toSQL()
      : null;
    const page = summaries ? await run(summaries.sql, summaries.params) : { rowsRead: 0 };
    return {
      ...common,
      ...walk,
      rowsRead: walk.rowsRead + page.rowsRead,
      driverRowsRead: walk.rowsRead,
      driverPlan: walk.plan,
      budget: built.budget ?? null,
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

  /**
   * Rows read by a report's one query on report_rollups: rollupsQuery from
   * worker/reports/query.ts, as buildReport calls it (`today` only matters
   * when the query names no range).
   */
  async function reportRows(actor, queryInput, today) {
    const grants = await grantsFor(db, actor);
    const query = ReportQuery.parse(queryInput);
    const range = reportQ.resolveRange(query, today);
    const q = reportQ.rollupsQuery(db, actor, grants, query, range);
    if (!q) return { empty: true };
    const { sql: text, params } = q.toSQL();
    return { sql: text, params, ...(await run(text, params)) };
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
   * worker/cron/wake-snoozed.ts, worker/cron/auto-resolve.ts and worker/cron/sla.ts (those modules
   * import the Durable Object runtime, so they cannot be loaded here; keep in step).
   */
  async function sweepRows(now, limit) {
    const { conversations, inboxes } = schema;
    const { and, asc, eq, isNotNull, lte } = orm;
    // worker/cron/sla.ts markBreaches and backfillMetrics.
    const breachQ = db
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(isNotNull(conversations.slaDueAt), eq(conversations.slaBreached, false), lte(conversations.slaDueAt, now)),
      )
      .orderBy(asc(conversations.slaDueAt))
      .limit(limit);
    const backfillQ = db
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.metricsRecorded, 0))
      .limit(limit);
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
    const b = breachQ.toSQL();
    const f = backfillQ.toSQL();
    return {
      breaches: {
        due: await count(
          "SELECT count(*) c FROM conversations WHERE sla_due_at IS NOT NULL AND sla_breached = 0 AND sla_due_at <= ?",
          [now],
        ),
        ...(await run(b.sql, b.params)),
      },
      backfill: {
        pending: await count("SELECT count(*) c FROM conversations WHERE metrics_recorded = 0", []),
        ...(await run(f.sql, f.params)),
      },
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

  return { listPage, cursorAfter, reportRows, grantsRows, sweepRows, sql, dispose };
}
