/**
 * `npm run bench:d1`: what each agent or customer action costs the D1
 * database, for the capacity model (README, Scale). It runs the real worker
 * and its Durable Objects in the Workers runtime on the real local D1, as the
 * test suite does, and meters every statement D1 runs: how many, the rows
 * they read and wrote, and the time SQLite spent on them (`meta.duration`,
 * which production D1 reports the same way: execution inside the database,
 * without the network). An action is metered from its request until D1 has
 * been quiet for a while (the room's publications read after the answer).
 *
 * Not part of `npm test`: it measures, it asserts nothing about speed.
 */
import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import {
  addUser,
  createInbox,
  customerWrites,
  expectStatus,
  getConversation,
  grant,
  listPage,
  note,
  type Person,
  reply,
  setTags,
  setUpWorkspace,
  startConversation,
  updateConversation,
} from "../worker/helpers";
import { connect } from "../worker/sockets";

interface Meter {
  statements: number;
  /** Statements whose meta D1 does not return (`raw()` of a write): counted, not measured. */
  unmetered: number;
  batches: number;
  rowsRead: number;
  rowsWritten: number;
  /** SQLite's own time as local D1 reports it (whole milliseconds per statement: coarse). */
  ms: number;
  /** Each statement's or batch's round trip as the caller sees it: an upper bound of the database's busy time. */
  wallMs: number;
  /** The database's size after the last statement (meta.size_after). */
  bytes: number;
}

const meter: Meter = {
  statements: 0,
  unmetered: 0,
  batches: 0,
  rowsRead: 0,
  rowsWritten: 0,
  ms: 0,
  wallMs: 0,
  bytes: 0,
};

type Meta = { rows_read?: number; rows_written?: number; duration?: number; size_after?: number };
const record = (meta: Meta | undefined) => {
  meter.statements++;
  meter.rowsRead += meta?.rows_read ?? 0;
  meter.rowsWritten += meta?.rows_written ?? 0;
  meter.ms += meta?.duration ?? 0;
  if (meta?.size_after) meter.bytes = meta.size_after;
};

/** Runs one call to D1, adding its round trip to the meter (the clock moves across I/O in the runtime). */
async function timed<T>(call: () => Promise<T>): Promise<T> {
  const start = Date.now();
  try {
    return await call();
  } finally {
    meter.wallMs += Date.now() - start;
  }
}

type Proto = Record<string, unknown>;
const sqlOf = new WeakMap<object, string>();
const METERED = Symbol.for("switchboard.d1-meter");

/** Patches the D1 classes of this isolate (the worker's and every object's bindings are instances). */
function installMeter(db: D1Database): void {
  const dbProto = Object.getPrototypeOf(db) as Proto & { [METERED]?: true };
  if (dbProto[METERED]) return;
  dbProto[METERED] = true;
  const stmtProto = Object.getPrototypeOf(db.prepare("SELECT 1")) as Proto;
  const prepare = dbProto.prepare as (this: D1Database, sql: string) => D1PreparedStatement;
  dbProto.prepare = function (this: D1Database, sql: string) {
    const statement = prepare.call(this, sql);
    sqlOf.set(statement, sql);
    return statement;
  };
  const bind = stmtProto.bind as (this: D1PreparedStatement, ...v: unknown[]) => D1PreparedStatement;
  stmtProto.bind = function (this: D1PreparedStatement, ...values: unknown[]) {
    const bound = bind.apply(this, values);
    const sql = sqlOf.get(this);
    if (sql) sqlOf.set(bound, sql);
    return bound;
  };
  // The unpatched all(), for reads through raw() and first(): counted once, by them.
  const all = stmtProto.all as (this: D1PreparedStatement) => Promise<{ meta: Meta }>;
  for (const method of ["run", "all"]) {
    const original = stmtProto[method] as (this: D1PreparedStatement) => Promise<{ meta: Meta }>;
    stmtProto[method] = async function (this: D1PreparedStatement) {
      const result = await timed(() => original.call(this));
      record(result.meta);
      return result;
    };
  }
  for (const method of ["raw", "first"]) {
    const original = stmtProto[method] as (this: D1PreparedStatement, ...a: unknown[]) => Promise<unknown>;
    stmtProto[method] = async function (this: D1PreparedStatement, ...args: unknown[]) {
      // These return no meta. A read is run once more through all() to learn it (its own time is
      // what it costs); a write must not run twice, so it is counted unmeasured.
      const sql = sqlOf.get(this) ?? "";
      if (/^\s*(select|with)\b/i.test(sql)) {
        record((await timed(() => all.call(this))).meta);
        return original.apply(this, args);
      }
      meter.statements++;
      meter.unmetered++;
      return timed(() => original.apply(this, args));
    };
  }
  const batch = dbProto.batch as (this: D1Database, s: D1PreparedStatement[]) => Promise<{ meta: Meta }[]>;
  dbProto.batch = async function (this: D1Database, statements: D1PreparedStatement[]) {
    const results = await timed(() => batch.call(this, statements));
    meter.batches++;
    for (const r of results) record(r.meta);
    return results;
  };
}

installMeter(env.DB);

/** D1's work from `action` until it has been quiet for `quietMs` (bounded). */
async function metered(action: () => Promise<unknown>, quietMs = 400): Promise<Meter> {
  const before = { ...meter };
  await action();
  let last = meter.statements;
  let quietSince = Date.now();
  const deadline = Date.now() + 10_000;
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    if (meter.statements !== last) {
      last = meter.statements;
      quietSince = Date.now();
    }
  }
  return {
    statements: meter.statements - before.statements,
    unmetered: meter.unmetered - before.unmetered,
    batches: meter.batches - before.batches,
    rowsRead: meter.rowsRead - before.rowsRead,
    rowsWritten: meter.rowsWritten - before.rowsWritten,
    ms: meter.ms - before.ms,
    wallMs: meter.wallMs - before.wallMs,
    bytes: meter.bytes - before.bytes,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it("meters D1 per action", { timeout: 600_000 }, async () => {
  const rounds = Number(env.BENCH_D1_ROUNDS ?? 15);
  // Each message's length in characters (BENCH_D1_TEXT); by default short lines.
  const length = Number(env.BENCH_D1_TEXT ?? 0);
  const words = "the invoice for march was charged twice and the refund has not arrived yet ".split(" ");
  const text = (short: string) =>
    length > 0
      ? Array.from({ length }, (_, i) => words[i % words.length] || " ")
          .join(" ")
          .slice(0, length)
      : short;
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin, "Support");
  const agents: Person[] = [];
  for (let i = 0; i < 4; i++) {
    const agent = await addUser(admin, "agent", `Agent ${i}`);
    await grant(admin, inbox.id, agent, "reply");
    agents.push(agent);
  }
  await metered(() => listPage(admin.as, { view: "all" }));
  const setupBytes = meter.bytes;
  const rows = new Map<string, Meter[]>();
  const add = (name: string, m: Meter) => rows.set(name, [...(rows.get(name) ?? []), m]);

  for (let round = 0; round < rounds; round++) {
    const agent = agents[round % agents.length]!;
    let started: { id: string; contactToken: string } | undefined;
    add(
      "customer starts a chat (widget)",
      await metered(async () => {
        started = await startConversation(inbox.widgetKey, text(`Hello ${round}`), {
          name: `Customer ${round}`,
          email: `c${round}@example.com`,
        });
      }),
    );
    const id = started!.id;
    add(
      "customer writes again (widget)",
      await metered(() => expectStatus(customerWrites(started!.contactToken, id, text("More detail")), 201)),
    );
    add("agent opens the conversation", await metered(() => getConversation(agent.as, id)));
    add("agent replies", await metered(() => expectStatus(reply(agent.as, id, text("On it")), 201)));
    add("agent adds a note", await metered(() => expectStatus(note(agent.as, id, text("Checked the invoice")), 201)));
    add(
      "agent assigns",
      await metered(() => expectStatus(updateConversation(agent.as, id, { assigneeId: agent.id }), 200)),
    );
    add("agent tags", await metered(() => expectStatus(setTags(agent.as, id, ["billing"]), 200)));
    add(
      "agent resolves",
      await metered(() => expectStatus(updateConversation(agent.as, id, { status: "resolved" }), 200)),
    );
    add("list page (agent, all open)", await metered(() => listPage(agent.as, { view: "all", limit: 25 })));
    add("list page (admin, mine)", await metered(() => listPage(admin.as, { view: "mine", limit: 25 })));
    add("list socket connects (agent)", await metered(async () => (await connect("/api/live", agent.as)).close()));
  }

  const table = [...rows].map(([action, ms]) => ({
    action,
    statements: median(ms.map((m) => m.statements)),
    unmeasured: median(ms.map((m) => m.unmetered)),
    batches: median(ms.map((m) => m.batches)),
    rowsRead: median(ms.map((m) => m.rowsRead)),
    rowsWritten: median(ms.map((m) => m.rowsWritten)),
    sqlMs: Number(median(ms.map((m) => m.ms)).toFixed(3)),
    sqlMsMax: Number(Math.max(...ms.map((m) => m.ms)).toFixed(3)),
    roundTripMs: median(ms.map((m) => m.wallMs)),
    bytesAdded: median(ms.map((m) => m.bytes)),
  }));
  console.log(
    `D1 per action (median of ${rounds} rounds; sqlMs: SQLite's own time as local D1 reports it, whole ms per statement; roundTripMs: the caller's wait, summed)`,
  );
  const columns = Object.keys(table[0]!) as (keyof (typeof table)[number])[];
  const widths = columns.map((c) => Math.max(c.length, ...table.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ");
  console.log([line(columns), ...table.map((r) => line(columns.map((c) => String(r[c]))))].join("\n"));
  const perConversation = Math.round((meter.bytes - setupBytes) / rounds);
  console.log(
    `database: ${setupBytes} bytes after setup, ${meter.bytes} after ${rounds} conversations: ${perConversation} bytes per conversation as above`,
  );
  console.log(`BENCH_D1_JSON ${JSON.stringify(table)}`);
  expect(table.length).toBeGreaterThan(0);
});
