// Seeds a local D1 database (the SQLite file `wrangler dev --persist-to` uses)
// with one workspace of N conversations, written directly with node:sqlite
// while no server runs. Rows follow worker/db/schema.ts, including the copies
// of status and last activity in followers, mentions and conversation_tags,
// and the FTS triggers of migrations/0003_search.sql (they fire on insert).
// SLA clocks (SPEC §6.6) run on the open and snoozed conversations of the
// inboxes with targets, and a year of report rollups is written with the
// column semantics of worker/reports/rollups.ts.

import crypto from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { d1File, rng } from "../lib/local-d1.mjs";
// Plain TypeScript with no imports: Node's own type stripping loads it.
import { BUCKET_COUNT, bucketOf } from "../../worker/reports/buckets.ts";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
export const AUTO_RESOLVE_DAYS = 7;
/** Inboxes 0 … SLA_INBOXES − 1 have SLA targets (minutes); the rest none, so their conversations run no clock. */
export const SLA_INBOXES = 8;
const TARGETS = { first_response: 8 * 60, next_response: 24 * 60, resolution: 3 * 24 * 60 };
/** Days of report rollups, ending on `now`'s UTC day. */
export const ROLLUP_DAYS = 365;

const b64u = (buf) => Buffer.from(buf).toString("base64url");

/** The same format as worker/auth/password.ts: pbkdf2-sha256$100000$salt$hash, base64url. */
export function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  return `pbkdf2-sha256$100000$${b64u(salt)}$${b64u(crypto.pbkdf2Sync(password, salt, 100_000, 32, "sha256"))}`;
}

/**
 * @param {object} o
 * @param {string} o.stateDir
 * @param {number} o.n            conversations
 * @param {number} o.now          the clock the data is laid out around (ms)
 * @param {number} o.dueSnoozes   snoozed conversations whose time has come
 * @param {number} o.dueIdle      open conversations in the auto-resolve inbox idle past its days
 * @param {number} o.dueBreaches  running clocks past due and not marked breached yet (the breach sweep's backlog)
 * @param {number} o.pendingMetrics resolved conversations from before metrics (metrics_recorded 0: the back-fill's backlog)
 * @param {Record<"admin" | "agent" | "slice", {email: string, password: string}>} o.logins
 */
export function seed({ stateDir, n, now, dueSnoozes, dueIdle, dueBreaches, pendingMetrics, logins }) {
  const file = d1File(stateDir);
  const db = new DatabaseSync(file);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
  const rand = rng(42);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const ws = "ws_bench";
  const ids = { workspace: ws, inboxes: [], agents: [], teams: [], tags: {} };

  db.exec("BEGIN");
  db.prepare("INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)").run(ws, "Lists bench", now - 400 * DAY);

  const insUser = db.prepare(
    "INSERT INTO users (id, workspace_id, name, email, password_hash, role, time_zone, email_notifications, created_at) VALUES (?, ?, ?, ?, ?, ?, 'UTC', 0, ?)",
  );
  ids.admin = "us_admin";
  insUser.run(
    ids.admin,
    ws,
    "Bench Admin",
    logins.admin.email,
    hashPassword(logins.admin.password),
    "admin",
    now - 400 * DAY,
  );
  const dummy = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  for (let a = 0; a < 20; a++) {
    const id = `us_agent${String(a).padStart(2, "0")}`;
    ids.agents.push(id);
    const login = a === 0 ? logins.agent : null;
    insUser.run(
      id,
      ws,
      a === 0 ? "Ana Agent" : `Agent ${a}`,
      login?.email ?? `agent${a}@bench.example`,
      login ? hashPassword(login.password) : dummy,
      "agent",
      now - 400 * DAY,
    );
  }
  ids.agent = ids.agents[0];
  // An agent who sees a small slice: inbox 7 alone (1 of 10 inboxes, 1 of the 8 with SLA targets).
  ids.slice = "us_slice";
  insUser.run(
    ids.slice,
    ws,
    "Sol Slice",
    logins.slice.email,
    hashPassword(logins.slice.password),
    "agent",
    now - 400 * DAY,
  );

  const insTeam = db.prepare("INSERT INTO teams (id, workspace_id, name, created_at) VALUES (?, ?, ?, ?)");
  const insMember = db.prepare("INSERT INTO team_members (team_id, user_id) VALUES (?, ?)");
  for (let t = 0; t < 4; t++) {
    const id = `tm_${t}`;
    ids.teams.push(id);
    insTeam.run(id, ws, `Team ${t}`, now - 400 * DAY);
    for (let a = t; a < 20; a += 4) insMember.run(id, ids.agents[a]);
  }

  // Inbox 0 auto-resolves after AUTO_RESOLVE_DAYS; the bench agent sees inboxes 0–4 of 10.
  const insInbox = db.prepare(
    `INSERT INTO inboxes (id, workspace_id, name, channel, widget_key, widget_secret, email_address, auto_resolve_days,
       sla_first_response_minutes, sla_next_response_minutes, sla_resolution_minutes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insAccess = db.prepare("INSERT INTO inbox_access (inbox_id, user_id, access) VALUES (?, ?, ?)");
  for (let i = 0; i < 10; i++) {
    const id = `ib_${i}`;
    ids.inboxes.push(id);
    const email = i % 2 === 1;
    insInbox.run(
      id,
      ws,
      `Inbox ${i}`,
      email ? "email" : "chat",
      `wk_${i}`,
      `sec_${i}`,
      email ? `inbox${i}@bench.example` : null,
      i === 0 ? AUTO_RESOLVE_DAYS : null,
      ...(i < SLA_INBOXES ? [TARGETS.first_response, TARGETS.next_response, TARGETS.resolution] : [null, null, null]),
      now - 400 * DAY,
    );
    for (let a = 0; a < 20; a++) if (seesInbox(a, i)) insAccess.run(id, ids.agents[a], "reply");
  }
  ids.agentInboxes = ids.inboxes.slice(0, 5);
  ids.sliceInbox = ids.inboxes[SLICE_INBOX];
  insAccess.run(ids.sliceInbox, ids.slice, "reply");

  const insTag = db.prepare(
    "INSERT INTO tags (id, workspace_id, name, color, created_at) VALUES (?, ?, ?, '#2563eb', ?)",
  );
  const tagShare = { vip: 0.05, billing: 0.15, bug: 0.08 };
  for (const name of Object.keys(tagShare)) {
    ids.tags[name] = `tg_${name}`;
    insTag.run(ids.tags[name], ws, name, now - 400 * DAY);
  }

  const nContacts = Math.max(1, Math.floor(n / 4));
  const insContact = db.prepare(
    "INSERT INTO contacts (id, workspace_id, name, email, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  for (let c = 0; c < nContacts; c++)
    insContact.run(
      `ct_${c.toString(36).padStart(7, "0")}`,
      ws,
      `Customer ${c}`,
      `customer${c}@mail.example`,
      now - 400 * DAY,
    );

  const insConv = db.prepare(
    `INSERT INTO conversations (id, workspace_id, inbox_id, contact_id, subject, status, priority, assignee_id, team_id, snoozed_until,
       last_seq, last_activity_at, preview, created_at, updated_at,
       sla_kind, sla_started_at, sla_due_at, sla_breached, first_response_at, first_response_seconds, replies_count,
       resolved_at, resolution_seconds, waiting_since, opened_at, metrics_recorded)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insItem = db.prepare(
    "INSERT INTO timeline_items (conversation_id, seq, kind, author_type, author_id, author_name, body, created_at) VALUES (?, 1, 'customer', 'contact', ?, ?, ?, ?)",
  );
  const insFollower = db.prepare(
    "INSERT OR IGNORE INTO followers (conversation_id, user_id, status, last_activity_at, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  const insMention = db.prepare(
    "INSERT INTO mentions (conversation_id, user_id, seq, status, last_activity_at, created_at) VALUES (?, ?, 1, ?, ?, ?)",
  );
  const insConvTag = db.prepare(
    "INSERT INTO conversation_tags (conversation_id, tag_id, status, last_activity_at) VALUES (?, ?, ?, ?)",
  );
  const priorities = ["low", "medium", "high", "urgent"];
  const words = [
    "refund",
    "invoice",
    "login",
    "password",
    "shipping",
    "delay",
    "upgrade",
    "plan",
    "error",
    "crash",
    "export",
    "billing",
  ];
  let snoozesDue = 0;
  let idleDue = 0;
  let breachesDue = 0;
  let metricsPending = 0;
  const counts = { open: 0, snoozed: 0, resolved: 0, spam: 0 };
  const sla = { clocks: 0, breached: 0, dueUnmarked: 0, dueNextDay: 0, metricsPending: 0 };
  // SLA clocks and metrics draw from their own generator, so the rest of the data is the same as without them.
  const slaRand = rng(7);
  // The slice agent's follows and mentions (in their inbox) draw from theirs.
  const sliceRand = rng(11);

  for (let i = 0; i < n; i++) {
    const id = `cv_${i.toString(36).padStart(8, "0")}`;
    const inboxIdx = Math.floor(rand() * 10);
    const inbox = ids.inboxes[inboxIdx];
    const contact = `ct_${(i % nContacts).toString(36).padStart(7, "0")}`;
    const r = rand();
    const status = r < 0.35 ? "open" : r < 0.43 ? "snoozed" : r < 0.48 ? "spam" : "resolved";
    counts[status]++;
    let at = now - Math.floor(rand() * 365 * DAY) - 60_000;
    let snoozedUntil = null;
    if (status === "snoozed") {
      if (snoozesDue < dueSnoozes) {
        snoozesDue++;
        snoozedUntil = now - Math.floor(rand() * 60 * 60_000) - 1;
      } else snoozedUntil = now + 60 * 60_000 + Math.floor(rand() * 30 * DAY);
      at = Math.min(at, snoozedUntil - 60_000);
    }
    if (status === "open" && inboxIdx === 0) {
      // Only `dueIdle` of the auto-resolve inbox's open conversations are past its cut-off.
      if (idleDue < dueIdle) {
        idleDue++;
        at = now - (AUTO_RESOLVE_DAYS + 1) * DAY - Math.floor(rand() * 20 * DAY);
      } else at = now - Math.floor(rand() * (AUTO_RESOLVE_DAYS - 1) * DAY) - 60_000;
    }
    const assignee = rand() < 0.55 ? pick(ids.agents) : null;
    const team = rand() < 0.4 ? pick(ids.teams) : null;
    const priority = rand() < 0.7 ? "none" : pick(priorities);
    const subject = `${pick(words)} ${pick(words)} #${i}`;
    const preview = `Hello, about my ${pick(words)}: it does not work since ${pick(words)}.`;
    const created = at - Math.floor(rand() * 3 * DAY);
    const m = metricsOf(slaRand, { status, inboxIdx, created, at, now });
    if (m.clock) {
      sla.clocks++;
      if (breachesDue < dueBreaches && m.clock.due < now) {
        // The sweep's backlog: due within the last hour, not marked yet.
        breachesDue++;
        m.clock.due = now - 1 - Math.floor(slaRand() * HOUR);
        m.clock.breached = 0;
      }
      if (m.clock.breached) sla.breached++;
      if (m.clock.due >= now && m.clock.due < now + DAY) sla.dueNextDay++;
    }
    const recorded = status === "resolved" && metricsPending < pendingMetrics ? 0 : 1;
    if (!recorded) metricsPending++;
    insConv.run(
      id,
      ws,
      inbox,
      contact,
      subject,
      status,
      priority,
      assignee,
      team,
      snoozedUntil,
      at,
      preview,
      created,
      at,
      m.clock?.kind ?? null,
      m.clock ? m.clock.due - TARGETS[m.clock.kind] * 60_000 : null,
      m.clock?.due ?? null,
      m.clock?.breached ?? 0,
      m.firstResponseAt,
      m.firstResponseSeconds,
      m.replies,
      m.resolvedAt,
      m.resolutionSeconds,
      m.waitingSince,
      m.openedAt,
      recorded,
    );
    insItem.run(id, contact, `Customer ${i % nContacts}`, preview, created);
    if (assignee) insFollower.run(id, assignee, status, at, created);
    if (rand() < 0.03) insFollower.run(id, ids.agent, status, at, created);
    if (rand() < 0.01) insMention.run(id, ids.agent, status, at, created);
    if (inboxIdx === SLICE_INBOX && sliceRand() < 0.3) insFollower.run(id, ids.slice, status, at, created);
    if (inboxIdx === SLICE_INBOX && sliceRand() < 0.1) insMention.run(id, ids.slice, status, at, created);
    for (const [name, share] of Object.entries(tagShare))
      if (rand() < share) insConvTag.run(id, ids.tags[name], status, at);
  }
  sla.dueUnmarked = breachesDue;
  sla.metricsPending = metricsPending;
  const rollups = seedRollups(db, { ws, ids, n, now });
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  if (snoozesDue < dueSnoozes || idleDue < dueIdle || breachesDue < dueBreaches || metricsPending < pendingMetrics)
    throw new Error(
      `seeded only ${snoozesDue} due snoozes, ${idleDue} idle conversations, ${breachesDue} due clocks and ${metricsPending} unmeasured conversations: raise N`,
    );
  return {
    ids,
    counts,
    sla,
    rollups,
    contacts: nContacts,
    dueSnoozes: snoozesDue,
    dueIdle: idleDue,
    dueBreaches: breachesDue,
    pendingMetrics: metricsPending,
  };
}

/** The one inbox the slice agent sees. */
const SLICE_INBOX = 7;

/** Whether agent `a` (0 is the bench agent, who sees inboxes 0–4 of 10) has access to inbox `i`. */
const seesInbox = (a, i) => (a === 0 ? i < 5 : (a + i) % 3 !== 0);

/** A log-normal number of seconds around `median` (σ = `spread`), from two uniforms. */
function logNormal(rand, median, spread) {
  const z = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Math.max(1, Math.round(median * Math.exp(spread * z)));
}

/**
 * A conversation's SLA clock and metric columns (worker/rooms/room-metrics.ts
 * trackedColumns). Open and snoozed conversations of an inbox with targets run
 * a clock due from 2 hours ago to 2 days ahead (those past due marked
 * breached), none falling due in the hour after `now`, so the sweep's runs see
 * only the seeded backlog; its kind is one whose start is not in the future.
 */
function metricsOf(rand, { status, inboxIdx, created, at, now }) {
  const running = status === "open" || status === "snoozed";
  let clock = null;
  if (running && inboxIdx < SLA_INBOXES) {
    const before = 2 * HOUR;
    const x = rand() * (before + 2 * DAY - HOUR);
    const due = Math.floor(x < before ? now - before + x : now + HOUR + (x - before));
    const kinds = Object.keys(TARGETS).filter((k) => due - TARGETS[k] * 60_000 <= now);
    const kind = kinds[Math.floor(rand() * kinds.length)];
    clock = { kind, due, breached: due < now ? 1 : 0 };
  }
  // A next-response clock means a first response was made; a first-response clock, that none was.
  const answered =
    clock?.kind === "next_response" || (status !== "spam" && clock?.kind !== "first_response" && rand() < 0.9);
  const firstResponseSeconds = answered
    ? Math.min(logNormal(rand, 1800, 1.2), Math.max(1, Math.floor((at - created) / 1000)))
    : null;
  const resolved = status === "resolved";
  const startedAt = clock ? clock.due - TARGETS[clock.kind] * 60_000 : null;
  return {
    clock,
    firstResponseAt: firstResponseSeconds === null ? null : created + firstResponseSeconds * 1000,
    firstResponseSeconds,
    replies: answered ? 1 + Math.floor(rand() * 4) : 0,
    resolvedAt: resolved ? at : null,
    resolutionSeconds: resolved ? Math.max(1, Math.floor((at - created) / 1000)) : null,
    waitingSince: clock && clock.kind !== "resolution" ? startedAt : null,
    // With an answer owed, the resolution clock (from opening) falls due a minute after it, so the
    // clock a room derives from these columns (the one due first) is the seeded one.
    openedAt: !clock
      ? created
      : clock.kind === "resolution"
        ? startedAt
        : clock.due - TARGETS.resolution * 60_000 + 60_000,
  };
}

/**
 * A year of report rollups (worker/reports/rollups.ts): per UTC day (the bench
 * inboxes keep no business hours) × inbox × team ('' none) × assignee ('' none),
 * the rows an agent's work or the unassigned conversations would leave. Which
 * rows exist comes from a generator of its own, so it is the same at every N;
 * the counts scale with N (about N conversations a year). Each latency is
 * drawn, then added as the write side adds it: count, sum, its bucket of the
 * histogram, the shortest and longest.
 */
function seedRollups(db, { ws, ids, n, now }) {
  const rand = rng(2024);
  const values = rng(99);
  const ins = db.prepare(
    `INSERT INTO report_rollups (workspace_id, day, inbox_id, team_id, assignee_id, created, resolved, reopened, replies,
       first_response_count, first_response_sum, first_response_hist, first_response_min, first_response_max,
       resolution_count, resolution_sum, resolution_hist, resolution_min, resolution_max,
       sla_met, sla_missed, rating_count, rating_sum, rating_hist)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // The places a day's work can land in one inbox: each agent with access, with no team or their own
  // (team t holds agents t, t + 4, …); unassigned, with no team or any.
  const places = ids.inboxes.map((_inbox, i) => [
    ...ids.agents.flatMap((agent, a) =>
      seesInbox(a, i)
        ? [
            ["", agent],
            [ids.teams[a % 4], agent],
          ]
        : [],
    ),
    ...["", ...ids.teams].map((team) => [team, ""]),
  ]);
  const share = 0.6; // of the places, active on a given day
  const perDay = places.reduce((s, p) => s + p.length, 0) * share;
  const mean = n / ROLLUP_DAYS / perDay; // conversations created per row
  const draw = (lambda) => Math.floor(lambda * 2 * values() + values()); // mean ≈ lambda, never negative
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  let rows = 0;
  const totals = { created: 0, firstResponses: 0, resolutions: 0, ratings: 0 };
  for (let d = ROLLUP_DAYS - 1; d >= 0; d--) {
    const day = new Date(today - d * DAY).toISOString().slice(0, 10);
    for (let i = 0; i < ids.inboxes.length; i++) {
      for (const [team, assignee] of places[i]) {
        if (rand() >= share) continue;
        const agent = assignee !== "";
        const resolved = draw(mean * 0.9);
        // Replies and first responses are their author's: none on the unassigned rows. A row is
        // written only when something counts (as the write side does): at small N, one reply or creation.
        const replies = agent ? Math.max(1, draw(mean * 2.5)) : 0;
        const created = agent ? draw(mean) : Math.max(1, draw(mean));
        const firstResponses = agent ? Math.min(replies, draw(mean * 0.9)) : 0;
        const fr = latencies(values, firstResponses, 1800, 1.2);
        const res = latencies(values, resolved, 86_400, 1.0);
        const clocks = draw(mean * 0.8);
        const missed = Math.floor(clocks * 0.15 * values());
        const ratingHist = [0, 0, 0, 0, 0];
        let ratingSum = 0;
        const ratingCount = draw(mean * 0.1);
        for (let k = 0; k < ratingCount; k++) {
          const stars = values() < 0.6 ? 5 : 1 + Math.floor(values() * 5);
          ratingHist[stars - 1]++;
          ratingSum += stars;
        }
        const reopened = values() < 0.05 ? 1 : 0;
        ins.run(
          ws,
          day,
          ids.inboxes[i],
          team,
          assignee,
          created,
          resolved,
          reopened,
          replies,
          fr.count,
          fr.sum,
          JSON.stringify(fr.hist),
          fr.min,
          fr.max,
          res.count,
          res.sum,
          JSON.stringify(res.hist),
          res.min,
          res.max,
          clocks - missed,
          missed,
          ratingCount,
          ratingSum,
          JSON.stringify(ratingHist),
        );
        rows++;
        totals.created += created;
        totals.firstResponses += fr.count;
        totals.resolutions += res.count;
        totals.ratings += ratingCount;
      }
    }
  }
  return { rows, days: ROLLUP_DAYS, ...totals };
}

/** `count` latencies around `median` seconds, as a rollup keeps them: count, sum, histogram, min, max. */
function latencies(rand, count, median, spread) {
  const hist = Array.from({ length: BUCKET_COUNT }, () => 0);
  let sum = 0;
  let min = null;
  let max = null;
  for (let k = 0; k < count; k++) {
    const v = logNormal(rand, median, spread);
    hist[bucketOf(v)]++;
    sum += v;
    min = min === null ? v : Math.min(min, v);
    max = max === null ? v : Math.max(max, v);
  }
  return { count, sum, hist, min, max };
}
