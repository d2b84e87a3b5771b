// `npm run bench:lists` (node bench/lists.mjs): list views and the cron sweep at
// scale. Seeds LISTS_N conversations (default 100,000) straight into a local D1
// database, then reports for every list view, first / second / deep page:
//   - rows D1 read for the page's exact SQL (meta.rows_read), whole query and
//     the driving index walk alone, with the query plan;
//   - p50/p99 of the real endpoint (GET /api/conversations) under wrangler dev;
// the same for a year's report (GET /api/reports, rows read by its query on
// report_rollups); and for the minute sweep: due rows, rows read by its
// due-row queries, and the time of each run fired through
// /cdn-cgi/handler/scheduled until the backlog drains.
//
// Environment: LISTS_N (100000), LISTS_REQUESTS per case (100; per report
// case LISTS_REPORT_REQUESTS, 30), LISTS_LIMIT
// page size (25), LISTS_DEEP_PAGES (20), LISTS_DUE (120 each of due snoozes,
// idle conversations, due SLA clocks not marked breached, conversations to
// back-fill), PORT (8891), LISTS_STATE (state folder; default a new one under
// /tmp, removed at the end unless LISTS_KEEP=1). The web client is built
// first when dist/web is missing.
// Everything listens on 127.0.0.1; every loop is bounded.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signIn } from "../client/index.mjs";
import { applyMigrations, assetsDir, startServer, stopAll } from "../scripts/lib/server.mjs";
import { getReport, listConversations } from "./lib/api.mjs";
import { round, summarize } from "./lib/stats.mjs";
import { openRows } from "./lists/rows.mjs";
import { seed } from "./lists/seed.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const num = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const config = {
  n: num("LISTS_N", 100_000),
  requests: num("LISTS_REQUESTS", 100),
  // A year's report takes most of a second locally: fewer requests per case.
  reportRequests: num("LISTS_REPORT_REQUESTS", 30),
  limit: num("LISTS_LIMIT", 25),
  deepPages: num("LISTS_DEEP_PAGES", 20),
  due: num("LISTS_DUE", 120),
  port: num("PORT", 8891),
  keep: process.env.LISTS_KEEP === "1",
};
const logins = {
  admin: { email: "lists-admin@bench.example", password: "lists-admin-password" },
  agent: { email: "lists-agent@bench.example", password: "lists-agent-password" },
  slice: { email: "lists-slice@bench.example", password: "lists-slice-password" },
};
const log = (...a) => console.error(`[lists ${new Date().toISOString().slice(11, 19)}]`, ...a);
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

const stateDir = process.env.LISTS_STATE
  ? path.resolve(process.env.LISTS_STATE)
  : fs.mkdtempSync(path.join(os.tmpdir(), "sb-lists-"));
let server;

/** The signed-in admin and agents as the worker's Actor; `wide` (agent 1, 7 of 10 inboxes) has no login. */
function actors(ids) {
  const actor = (id, name, email, role) => ({ id, workspaceId: ids.workspace, name, email, role, via: "session" });
  return {
    admin: actor(ids.admin, "Bench Admin", logins.admin.email, "admin"),
    agent: actor(ids.agent, "Ana Agent", logins.agent.email, "agent"),
    slice: actor(ids.slice, "Sol Slice", logins.slice.email, "agent"),
    wide: actor(ids.agents[1], "Agent 1", "agent1@bench.example", "agent"),
  };
}

function cases(ids) {
  const { admin, agent, slice, wide } = actors(ids);
  const A = "agent (5/10 inboxes)";
  const S = "agent (1/10 inboxes)";
  const W = "agent (7/10 inboxes)";
  return [
    ["all", "admin", admin, { view: "all" }],
    ["resolved", "admin", admin, { view: "resolved" }],
    ["snoozed", "admin", admin, { view: "snoozed" }],
    ["spam", "admin", admin, { view: "spam" }],
    ["unassigned", "admin", admin, { view: "unassigned" }],
    ["all, inbox filter", "admin", admin, { view: "all", inboxId: ids.inboxes[3] }],
    ["all, assignee filter", "admin", admin, { view: "all", assigneeId: ids.agents[5] }],
    ["all, team filter", "admin", admin, { view: "all", teamId: ids.teams[1] }],
    ["all, priority filter", "admin", admin, { view: "all", priority: "urgent" }],
    ["all, tag filter", "admin", admin, { view: "all", tag: "vip" }],
    ["resolved, tag filter", "admin", admin, { view: "resolved", tag: "billing" }],
    ["all, inbox + team filters", "admin", admin, { view: "all", inboxId: ids.inboxes[3], teamId: ids.teams[1] }],
    ["all", A, agent, { view: "all" }],
    ["mine", A, agent, { view: "mine" }],
    ["unassigned", A, agent, { view: "unassigned" }],
    ["following", A, agent, { view: "following" }],
    ["mentioned", A, agent, { view: "mentioned" }],
    ["following, tag filter", A, agent, { view: "following", tag: "bug" }],
    ["mentioned, tag filter", A, agent, { view: "mentioned", tag: "billing" }],
    ["all, inbox filter", A, agent, { view: "all", inboxId: ids.inboxes[2] }],
    ["all, tag filter", A, agent, { view: "all", tag: "vip" }],
    ["all", S, slice, { view: "all" }],
    ["unassigned", S, slice, { view: "unassigned" }],
    ["resolved", S, slice, { view: "resolved" }],
    ["following", S, slice, { view: "following" }],
    ["following, tag filter", S, slice, { view: "following", tag: "bug" }],
    ["mentioned", S, slice, { view: "mentioned" }],
    ["all, tag filter", S, slice, { view: "all", tag: "vip" }],
    ["all, priority filter", S, slice, { view: "all", priority: "urgent" }],
    ["all", W, wide, { view: "all" }],
    ["unassigned", W, wide, { view: "unassigned" }],
    ["all, tag filter", W, wide, { view: "all", tag: "vip" }],
    ["breaching", "admin", admin, { view: "breaching" }],
    ["breaching, inbox filter", "admin", admin, { view: "breaching", inboxId: ids.inboxes[3] }],
    ["breaching, tag filter", "admin", admin, { view: "breaching", tag: "vip" }],
    ["breaching", A, agent, { view: "breaching" }],
    ["breaching, inbox filter", A, agent, { view: "breaching", inboxId: ids.inboxes[2] }],
    ["breaching", S, slice, { view: "breaching" }],
    ["breaching", W, wide, { view: "breaching" }],
  ].map(([view, as, actor, query]) => ({ view, as, actor, query: { ...query, limit: config.limit } }));
}

/** A year of reports (the last ROLLUP_DAYS days up to `today`), by day and by agent, for the admin and the agent. */
function reportCases(ids, today) {
  const { admin, agent } = actors(ids);
  const from = new Date(Date.parse(today) - 364 * 86_400_000).toISOString().slice(0, 10);
  return [
    ["day", "admin", admin, {}],
    ["agent", "admin", admin, {}],
    ["day, inbox filter", "admin", admin, { inboxId: ids.inboxes[3] }],
    ["day", "agent (5/10 inboxes)", agent, {}],
    ["agent", "agent (5/10 inboxes)", agent, {}],
    ["day, inbox filter", "agent (5/10 inboxes)", agent, { inboxId: ids.inboxes[2] }],
  ].map(([report, as, actor, query]) => ({
    report,
    as,
    actor,
    query: { from, to: today, groupBy: report.split(",")[0], ...query },
  }));
}

async function timeRequests(api, query, count, fetchPage = listConversations) {
  // Through the typed client, as through the hand-written one before it: its cost
  // (a Request built, the JSON parsed) is microseconds against the milliseconds measured.
  const get = () => fetchPage(api, query);
  for (let i = 0; i < Math.min(5, count); i++) await get(); // warm-up
  const times = [];
  let items = null;
  const deadline = Date.now() + 120_000;
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const t0 = process.hrtime.bigint();
    const body = await get();
    times.push(ms(t0));
    items = "items" in body ? body.items.length : body.rows.length;
  }
  const s = summarize(times);
  return { requests: s.count, items, p50: round(s.p50), p99: round(s.p99), max: round(s.max) };
}

async function main() {
  const started = Date.now();
  const now = Date.now();
  log(`state ${stateDir}; N=${config.n}, page size ${config.limit}`);
  await applyMigrations({ stateDir });
  const t = Date.now();
  const seeded = seed({
    stateDir,
    n: config.n,
    now,
    dueSnoozes: config.due,
    dueIdle: config.due,
    dueBreaches: config.due,
    pendingMetrics: config.due,
    logins,
  });
  const seedSeconds = (Date.now() - t) / 1000;
  log(
    `seeded ${config.n} conversations in ${seedSeconds.toFixed(1)} s`,
    JSON.stringify({ ...seeded.counts, sla: seeded.sla, rollups: seeded.rollups }),
  );
  const dbBytes = fs
    .readdirSync(path.join(stateDir, "v3/d1/miniflare-D1DatabaseObject"))
    .reduce((s, f) => s + fs.statSync(path.join(stateDir, "v3/d1/miniflare-D1DatabaseObject", f)).size, 0);

  // 1. Rows read, in-process on the local D1 (no server running).
  const list = cases(seeded.ids);
  const today = new Date(now).toISOString().slice(0, 10);
  const reports = reportCases(seeded.ids, today);
  const rows = await openRows(stateDir);
  const results = [];
  const reportResults = [];
  const sweepBefore = [];
  try {
    for (const c of list) {
      const first = await rows.listPage(c.actor, c.query);
      const second = first.nextCursor ? await rows.listPage(c.actor, { ...c.query, cursor: first.nextCursor }) : null;
      const deep = await rows.cursorAfter(c.actor, c.query, config.deepPages);
      const deepPage =
        deep.cursor && deep.pages > 1 ? await rows.listPage(c.actor, { ...c.query, cursor: deep.cursor }) : null;
      results.push({
        ...c,
        actor: undefined,
        login: Object.keys(logins).find((k) => logins[k].email === c.actor.email) ?? null,
        rows: { first, second, deep: deepPage && { ...deepPage, pageNo: deep.pages + 1 } },
        cursors: { second: first.nextCursor, deep: deep.cursor },
      });
      log(
        `rows ${c.as} ${c.view} (${first.mode}): first ${first.rowsRead} (walk ${first.driverRowsRead}, listed ${first.listed}), second ${second?.rowsRead} (walk ${second?.driverRowsRead}), deep ${deepPage?.rowsRead} (walk ${deepPage?.driverRowsRead})`,
      );
    }
    for (const c of reports) {
      const r = await rows.reportRows(c.actor, c.query, today);
      reportResults.push({ ...c, actor: undefined, rows: r });
      log(`rows report ${c.as} by ${c.report}: ${r.rowsRead} read, ${r.rows} rollups`);
    }
    for (const c of [...new Set(list.map((c) => c.actor))]) {
      results.grants ??= {};
      results.grants[c.name] = await rows.grantsRows(c);
    }
    for (const [label, at] of [
      ["now-55min", now - 55 * 60_000],
      ["now-30min", now - 30 * 60_000],
      ["now+1min", now + 60_000],
      ["now-15d", now - 15 * 86_400_000],
    ]) {
      sweepBefore.push({ label, at, ...(await rows.sweepRows(at, 50)) });
    }
  } finally {
    await rows.dispose();
  }

  // 2. The endpoint's times under wrangler dev.
  const sweepLines = [];
  server = await startServer({
    port: config.port,
    stateDir,
    migrate: false,
    build: !fs.existsSync(assetsDir()),
    env: { X_LOCAL_OBSERVABILITY: "false" },
    log: (line) => {
      const m = line.match(/sweep \S+ (\{.*\})/);
      if (m) sweepLines.push(JSON.parse(m[1]));
    },
  });
  log(`server ${server.url} (pid ${server.pid})`);
  const apis = {
    admin: await signIn(server.url, logins.admin),
    agent: await signIn(server.url, logins.agent),
    slice: await signIn(server.url, logins.slice),
  };
  for (const r of results) {
    const api = apis[r.login];
    if (!api) continue; // an agent with no login: rows read only
    r.http = {
      first: await timeRequests(api, r.query, config.requests),
      second: r.cursors.second
        ? await timeRequests(api, { ...r.query, cursor: r.cursors.second }, config.requests)
        : null,
      deep: r.rows.deep ? await timeRequests(api, { ...r.query, cursor: r.cursors.deep }, config.requests) : null,
    };
    log(
      `http ${r.as} ${r.view}: first p99 ${r.http.first.p99} ms, second p99 ${r.http.second?.p99} ms, deep p99 ${r.http.deep?.p99} ms`,
    );
  }
  for (const r of reportResults) {
    r.http = await timeRequests(r.as === "admin" ? apis.admin : apis.agent, r.query, config.reportRequests, getReport);
    log(`http report ${r.as} by ${r.report}: p50 ${r.http.p50} ms, p99 ${r.http.p99} ms, ${r.http.items} rows`);
  }

  // 3. The sweep through the cron URL, until the backlog drains (bounded).
  const runs = [];
  for (let k = 1; k <= 8; k++) {
    const at = now + k * 60_000;
    const before = sweepLines.length;
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${server.url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=${at}`, {
      signal: AbortSignal.timeout(120_000),
    });
    await res.text();
    const took = ms(t0);
    const waitUntil = Date.now() + 5000;
    while (sweepLines.length === before && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 20));
    const line = sweepLines[before] ?? null;
    runs.push({ run: k, at, status: res.status, ms: round(took), result: line });
    log(`sweep run ${k}: ${took.toFixed(0)} ms ${JSON.stringify(line)}`);
    if (!line)
      runs.at(-1).output = server
        .output()
        .split("\n")
        .filter((l) => /sweep|schedul|error/i.test(l))
        .slice(-3);
    if (
      !line ||
      (line.woken.due === 0 && line.resolved.due === 0 && line.breaches.due === 0 && line.backfilled.pending === 0)
    )
      break;
  }
  await server.stop();
  server = null;

  // 4. After the runs: the sweep's due-row queries with nothing left to do.
  const rows2 = await openRows(stateDir);
  let sweepAfter;
  try {
    sweepAfter = await rows2.sweepRows(runs.at(-1).at, 50);
  } finally {
    await rows2.dispose();
  }

  const out = {
    when: new Date().toISOString(),
    config: { ...config, keep: undefined },
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    seed: {
      seconds: seedSeconds,
      dbBytes,
      counts: seeded.counts,
      sla: seeded.sla,
      rollups: seeded.rollups,
      contacts: seeded.contacts,
      dueSnoozes: seeded.dueSnoozes,
      dueIdle: seeded.dueIdle,
      dueBreaches: seeded.dueBreaches,
      pendingMetrics: seeded.pendingMetrics,
    },
    lists: results.map(({ cursors, ...r }) => r),
    reports: reportResults,
    grants: results.grants,
    sweep: { before: sweepBefore, runs, after: sweepAfter },
    seconds: (Date.now() - started) / 1000,
  };
  fs.mkdirSync(path.join(HERE, "results"), { recursive: true });
  const file = path.join(HERE, "results", `lists-${config.n}-${out.when.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, JSON.stringify(out, null, 2));
  console.log(table(out));
  log(`results: ${path.relative(process.cwd(), file)}`);
}

function table(out) {
  const L = out.config.limit;
  const lines = [
    `N = ${out.config.n} conversations, page size ${L} (a page query asks for ${L + 1} rows)`,
    "",
    "| view | as | shape | page | rows read (page queries) | index rows read (the walk) | listed | p50 ms | p99 ms |",
    "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of out.lists) {
    for (const page of ["first", "second", "deep"]) {
      const rr = r.rows[page];
      const h = r.http?.[page];
      if (!rr) continue;
      const name = page === "deep" ? `page ${rr.pageNo}` : page;
      lines.push(
        `| ${r.view} | ${r.as} | ${rr.mode ?? "–"} | ${name} | ${rr.rowsRead ?? "–"} | ${rr.driverRowsRead ?? "–"} | ${rr.listed ?? "–"} | ${h?.p50 ?? "–"} | ${h?.p99 ?? "–"} |`,
      );
    }
  }
  const rl = out.seed.rollups;
  lines.push(
    "",
    `Reports over ${rl.rows} rollup rows (${rl.days} days); a year's report, ${out.reports[0]?.query.from} … ${out.reports[0]?.query.to}:`,
    "",
    "| report by | as | rows read (rollups query) | rollups returned | report rows | p50 ms | p99 ms |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of out.reports)
    lines.push(
      `| ${r.report} | ${r.as} | ${r.rows.rowsRead} | ${r.rows.rows} | ${r.http?.items ?? "–"} | ${r.http?.p50 ?? "–"} | ${r.http?.p99 ?? "–"} |`,
    );
  lines.push(
    "",
    "| sweep query at | snoozes due | wake rows read | idle due | auto-resolve rows read (rules + per inbox) | clocks due | breach rows read | to back-fill | back-fill rows read |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const s of [...out.sweep.before, { label: "after the runs", ...out.sweep.after }]) {
    lines.push(
      `| ${s.label} | ${s.wakeSnoozed.due} | ${s.wakeSnoozed.rowsRead} | ${s.idleDue} | ${s.autoResolveRules.rowsRead} + ${s.autoResolve.map((x) => x.rowsRead).join(" + ")} | ${s.breaches.due} | ${s.breaches.rowsRead} | ${s.backfill.pending} | ${s.backfill.rowsRead} |`,
    );
  }
  lines.push(
    "",
    "| cron run | ms | woken (due) | resolved (due) | breached (due) | back-filled (pending) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const r of out.sweep.runs)
    lines.push(
      `| ${r.run} | ${r.ms} | ${r.result?.woken.woken} (${r.result?.woken.due}) | ${r.result?.resolved.resolved} (${r.result?.resolved.due}) | ${r.result?.breaches.breached} (${r.result?.breaches.due}) | ${r.result?.backfilled.measured} (${r.result?.backfilled.pending}) |`,
    );
  lines.push(
    "",
    "rows read by the request's other queries: grants " +
      Object.entries(out.grants ?? {})
        .map(([k, v]) => `${k} ${v.rowsRead}`)
        .join(", ") +
      " (plus the session lookup, a primary-key lookup)",
  );
  return lines.join("\n");
}

try {
  await main();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  if (server) await server.stop();
  await stopAll();
  if (!config.keep && !process.env.LISTS_STATE) fs.rmSync(stateDir, { recursive: true, force: true });
}
