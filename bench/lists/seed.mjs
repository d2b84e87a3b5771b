// Seeds a local D1 database (the SQLite file `wrangler dev --persist-to` uses)
// with one workspace of N conversations, written directly with node:sqlite
// while no server runs. Rows follow worker/db/schema.ts, including the copies
// of status and last activity in followers, mentions and conversation_tags,
// and the FTS triggers of migrations/0003_search.sql (they fire on insert).

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";

const DAY = 24 * 60 * 60 * 1000;
export const AUTO_RESOLVE_DAYS = 7;

/** The D1 database file under a --persist-to folder (the one that holds `conversations`). */
export function d1File(stateDir) {
  const dir = path.join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ") || "none"}`);
  return path.join(dir, files[0]);
}

const b64u = (buf) => Buffer.from(buf).toString("base64url");

/** The same format as worker/auth/password.ts: pbkdf2-sha256$100000$salt$hash, base64url. */
export function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  return `pbkdf2-sha256$100000$${b64u(salt)}$${b64u(crypto.pbkdf2Sync(password, salt, 100_000, 32, "sha256"))}`;
}

/** Small deterministic PRNG (mulberry32). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {object} o
 * @param {string} o.stateDir
 * @param {number} o.n            conversations
 * @param {number} o.now          the clock the data is laid out around (ms)
 * @param {number} o.dueSnoozes   snoozed conversations whose time has come
 * @param {number} o.dueIdle      open conversations in the auto-resolve inbox idle past its days
 * @param {{admin: {email: string, password: string}, agent: {email: string, password: string}}} o.logins
 */
export function seed({ stateDir, n, now, dueSnoozes, dueIdle, logins }) {
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
    "INSERT INTO inboxes (id, workspace_id, name, channel, widget_key, widget_secret, email_address, auto_resolve_days, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
      now - 400 * DAY,
    );
    for (let a = 0; a < 20; a++) if (a === 0 ? i < 5 : (a + i) % 3 !== 0) insAccess.run(id, ids.agents[a], "reply");
  }
  ids.agentInboxes = ids.inboxes.slice(0, 5);

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
       last_seq, last_activity_at, preview, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
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
  const counts = { open: 0, snoozed: 0, resolved: 0, spam: 0 };

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
    );
    insItem.run(id, contact, `Customer ${i % nContacts}`, preview, created);
    if (assignee) insFollower.run(id, assignee, status, at, created);
    if (rand() < 0.03) insFollower.run(id, ids.agent, status, at, created);
    if (rand() < 0.01) insMention.run(id, ids.agent, status, at, created);
    for (const [name, share] of Object.entries(tagShare))
      if (rand() < share) insConvTag.run(id, ids.tags[name], status, at);
  }
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  if (snoozesDue < dueSnoozes || idleDue < dueIdle)
    throw new Error(`seeded only ${snoozesDue} due snoozes and ${idleDue} idle conversations: raise N`);
  return { ids, counts, contacts: nContacts, dueSnoozes: snoozesDue, dueIdle: idleDue };
}
