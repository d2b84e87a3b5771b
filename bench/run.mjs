// `npm run bench`: Switchboard's realtime benchmark (draft fan-out against a raw
// WebSocket relay and a bare Durable Object relay, the large room with many
// typists, and reply commit-to-visible). See bench/README.md.
//
// Everything it starts (wrangler dev on a frozen bundle of the worker, the relay)
// listens on 127.0.0.1 only and is stopped in `finally`; every wait is bounded.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { apiClient, ok, signIn } from "../client/index.mjs";
import { ROOT, assetsDir, buildWeb, freePort, spawnGroup, startServer } from "../scripts/lib/server.mjs";
import { newConversation, setupWorkspace } from "./lib/api.mjs";
import { runtimePort, treePids } from "./lib/cpu.mjs";
import { draftFanout, largeRoom, replyVisibility, withTimeout } from "./lib/live.mjs";
import { freezeWorker, stageWorker } from "./lib/snapshot.mjs";
import { runGuarded } from "./lib/guard.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

const env = process.env;
const num = (name, fallback) => {
  const v = env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not ${JSON.stringify(v)}`);
  return n;
};
function parseEnvList(text) {
  const out = {};
  for (const pair of (text || "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq < 1) throw new Error(`expected NAME=value in ${JSON.stringify(text)}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const KNOWN_TARGETS = ["relay", "do-relay", "do-relay-plain", "switchboard", "direct"];
const config = {
  url: env.BENCH_URL?.replace(/\/+$/, "") || null,
  serverPid: num("BENCH_SERVER_PID", 0) || null,
  workerRoot: env.BENCH_WORKER_ROOT ? path.resolve(env.BENCH_WORKER_ROOT) : ROOT,
  // A second copy of the project (e.g. with a server-side change) measured in the same run.
  variantRoot: env.BENCH_VARIANT_ROOT ? path.resolve(env.BENCH_VARIANT_ROOT) : null,
  variantName: env.BENCH_VARIANT_NAME || "variant",
  // Extra environment for wrangler dev ("NAME=value,NAME=value"), for the main servers and for the variant.
  // wrangler dev streams a trace of every invocation (each WebSocket message a
  // Durable Object handles) to a local collector by default; production has no
  // such collector on the hot path, and it doubles the runtime's CPU per draft.
  // BENCH_SERVER_ENV=X_LOCAL_OBSERVABILITY=true measures it as `npm run dev` runs.
  serverEnv: { X_LOCAL_OBSERVABILITY: "false", ...parseEnvList(env.BENCH_SERVER_ENV) },
  variantEnv: parseEnvList(env.BENCH_VARIANT_ENV),
  label: env.BENCH_LABEL || null,
  adminEmail: env.BENCH_ADMIN_EMAIL || "bench-admin@example.com",
  adminPassword: env.BENCH_ADMIN_PASSWORD || "bench-admin-password",
  targets: (env.BENCH_TARGETS || "relay,do-relay,switchboard")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
  viewers: (env.BENCH_VIEWERS || "10,100")
    .split(",")
    .map(Number)
    .filter((n) => n > 0),
  rate: num("BENCH_RATE", 100),
  warmupS: num("BENCH_WARMUP_SECONDS", 2),
  measureS: num("BENCH_SECONDS", 10),
  replies: num("BENCH_REPLIES", 200),
  replyWarmup: num("BENCH_REPLY_WARMUP", 10),
  replyRate: num("BENCH_REPLY_RATE", 20),
  replyViewers: num("BENCH_REPLY_VIEWERS", 10),
  // The large room: many viewers, several agents typing at the composer's pace
  // (web/app/features/conversation/live-draft.ts: DRAFT_INTERVAL_MS).
  roomViewers: num("BENCH_ROOM_VIEWERS", 100),
  roomTypists: Math.max(1, num("BENCH_ROOM_TYPISTS", 10)),
  roomDraftMs: Math.max(1, num("BENCH_ROOM_DRAFT_MS", 150)),
  deflate: env.BENCH_DEFLATE === "1",
  outDir: path.resolve(env.BENCH_OUT || path.join(HERE, "results")),
  timeoutS: num("BENCH_TIMEOUT_SECONDS", 600),
};
for (const t of config.targets) {
  if (!KNOWN_TARGETS.includes(t))
    throw new Error(`BENCH_TARGETS: unknown target ${JSON.stringify(t)} (${KNOWN_TARGETS.join(", ")})`);
}

/** Drafts per second one drafter socket sends to Switchboard: half of a room's per-socket frame budget (20/s). */
const SOCKET_DRAFTS_PER_S = 10;

const TARGETS = { p99At10: 1.5, p99At100Ms: 10, replyP99Ms: 50, roomP99Ms: 150 };

const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function safe(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}

function packageVersion(name) {
  return safe(() => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version);
}

function gitInfo(root) {
  const git = (...args) => execFileSync("git", ["-C", root, ...args], { encoding: "utf8", timeout: 5000 }).trim();
  return {
    commit: safe(() => git("rev-parse", "--short", "HEAD")),
    dirtyWorker: safe(() => git("status", "--porcelain", "--", "worker").length > 0),
  };
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? null,
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    wrangler: packageVersion("wrangler"),
    // wrangler dev runs its own workerd (vitest's plugin may bundle another).
    workerd: packageVersion("wrangler/node_modules/workerd") ?? packageVersion("workerd"),
    ws: packageVersion("ws"),
  };
}

/** Starts the relay in its own process group; resolves once it listens. */
async function startRelay() {
  const port = await freePort();
  const proc = spawnGroup(process.execPath, [path.join(HERE, "relay-server.mjs"), String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BENCH_DEFLATE: config.deflate ? "1" : "0" },
  });
  let output = "";
  const ready = new Promise((resolve, reject) => {
    proc.child.stdout.on("data", (d) => {
      output += d;
      if (output.includes("listening")) resolve();
    });
    proc.child.stderr.on("data", (d) => (output += d));
    proc.exited.then((r) =>
      reject(new Error(`the relay exited before listening (${r.error?.message ?? r.signal ?? r.code}): ${output}`)),
    );
  });
  try {
    await withTimeout(ready, 15_000, "the relay server to listen");
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { url: `ws://127.0.0.1:${port}/`, pid: proc.pid, stop: () => proc.stop() };
}

/**
 * `n` more agents who may reply in the bench's inbox (each a user of their own:
 * a room keys drafts by user), each with an API token for its socket.
 */
async function addTypists(base, { adminToken, inboxId }, runId, n) {
  const admin = apiClient(base, { bearer: adminToken });
  const tokens = [];
  for (let k = 0; k < n; k++) {
    const email = `bench-typist-${k}-${runId}@example.com`;
    const password = `bench-${runId}-typist-${k}`;
    const user = await ok(
      admin.POST("/api/users", { body: { name: `Bench Typist ${k}`, email, password, role: "agent" } }),
    );
    await ok(
      admin.PUT("/api/inboxes/{inboxId}/access/{userId}", {
        params: { path: { inboxId, userId: user.id } },
        body: { access: "reply" },
      }),
    );
    const client = await signIn(base, { email, password });
    tokens.push((await ok(client.POST("/api/me/tokens", { body: { name: `bench ${runId}` } }))).token);
  }
  return tokens;
}

/** Builds the web client (`npm run build`) unless a server to be bundled has assets already. */
async function ensureAssets(roots) {
  const missing = roots.filter((root) => !fs.existsSync(assetsDir(root)) && !fs.existsSync(assetsDir(ROOT)));
  if (!missing.length) return;
  const started = performance.now();
  log(`${path.relative(ROOT, assetsDir(ROOT))}/ is missing: building the web client first (npm run build)`);
  await buildWeb({ root: ROOT }); // quiet unless it fails: the error carries vite's output
  log(`web client built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// ——— output ————————————————————————————————————————————————————————————

const fmt = (v, digits = 2) => (v == null ? "–" : typeof v === "number" ? v.toFixed(digits) : String(v));

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function report(result) {
  const out = [];
  const m = result.machine;
  out.push(`Switchboard realtime benchmark — ${result.date}${result.label ? ` (${result.label})` : ""}`);
  out.push(
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; node ${m.node}; wrangler ${m.wrangler}, workerd ${m.workerd}, ws ${m.ws}`,
  );
  out.push(
    `load average at start: ${result.loadAverage.start.join(" ")}; at end: ${result.loadAverage.end?.join(" ") ?? "–"}`,
  );
  out.push(
    `server: ${result.server?.mode ?? "–"}; commit ${result.git.commit ?? "?"}${result.git.dirtyWorker ? " (worker/ has uncommitted changes)" : ""}`,
  );
  if (Object.keys(result.server?.env ?? {}).length)
    out.push(`server environment: ${JSON.stringify(result.server.env)}`);
  for (const v of result.server?.variants ?? [])
    out.push(`variant "${v.name}": bundled from ${v.root}, environment ${JSON.stringify(v.env)}`);
  out.push("");
  if (result.drafts.length) {
    out.push(
      `Draft fan-out: ${config.rate} drafts/s of ${result.drafts[0].bodyChars} chars, ${config.warmupS} s warm-up + ${config.measureS} s measured; latency = drafter send → viewer receive (ms); superseded = drafts a viewer never got because a newer one reached it first (a room of more than 20 agent sockets sends the latest once per 100 ms)`,
    );
    out.push(
      table(
        [
          "target",
          "viewers",
          "senders",
          "delivered/expected",
          "superseded",
          "loss%",
          "p50",
          "p90",
          "p99",
          "max",
          "srv CPU ms/s",
          "srv CPU ms/1k del",
          "client ms/s",
          "machine busy%",
          "send lag p99",
        ],
        result.drafts.map((d) => [
          d.target,
          d.viewers,
          d.senders,
          `${d.delivered}/${d.expected}`,
          d.superseded,
          fmt(d.lossPct, 2),
          fmt(d.latencyMs.p50),
          fmt(d.latencyMs.p90),
          fmt(d.latencyMs.p99),
          fmt(d.latencyMs.max),
          fmt(d.serverCpu.msPerS, 0),
          fmt(d.serverCpu.msPer1kDeliveries, 1),
          fmt(d.clientCpuMsPerS, 0),
          fmt(d.machineBusyPct, 0),
          fmt(d.sendLagMs.p99),
        ]),
      ),
    );
    out.push("");
    for (const c of result.comparisons) {
      const parts = [
        `${c.viewers} viewers: ${c.target} p99 / relay p99 = ${fmt(c.p99Ratio)}× (p50 ${fmt(c.p50Ratio)}×)`,
      ];
      if (c.cpuRatio != null) parts.push(`server CPU per delivery ${fmt(c.cpuRatio, 1)}× the relay's`);
      out.push(`  ${parts.join("; ")}`);
    }
    out.push("  server CPU by process (ms/s):");
    for (const d of result.drafts) {
      const parts = Object.entries(d.serverCpu.byProcessMsPerS ?? {}).map(([k, v]) => `${k} ${fmt(v, 0)}`);
      out.push(`    ${d.target} ×${d.viewers}: ${parts.join(", ")}`);
    }
  }
  if (result.rooms.length) {
    const r0 = result.rooms[0];
    out.push("");
    out.push(
      `Large room: ${r0.viewers} viewer sockets, ${r0.typists} typists each sending a draft of ${r0.bodyChars} chars every ${r0.intervalMs} ms (${fmt(r0.rate, 1)} drafts/s), ${config.warmupS} s warm-up + ${config.measureS} s measured; latency = typist send → viewer receive (ms), "all p99" = until the last viewer had it`,
    );
    out.push(
      table(
        [
          "target",
          "delivered/expected",
          "superseded",
          "loss%",
          "p50",
          "p99",
          "all p99",
          "max",
          "frames/s at viewers",
          "per viewer",
          "srv CPU ms/s",
          "srv CPU µs/delivery",
          "client ms/s",
          "machine busy%",
        ],
        result.rooms.map((r) => [
          r.target,
          `${r.delivered}/${r.expected}`,
          r.superseded,
          fmt(r.lossPct, 2),
          fmt(r.latencyMs.p50),
          fmt(r.latencyMs.p99),
          fmt(r.toAllViewersMs.p99),
          fmt(r.latencyMs.max),
          fmt(r.framesPerS, 0),
          fmt(r.framesPerViewerPerS, 1),
          fmt(r.serverCpu.msPerS, 0),
          fmt(r.serverCpu.usPerDelivery, 1),
          fmt(r.clientCpuMsPerS, 0),
          fmt(r.machineBusyPct, 0),
        ]),
      ),
    );
    const ratio = (a, b) => (a != null && b ? fmt(a / b) : "–");
    for (const r of result.rooms.filter((x) => !x.target.includes("relay"))) {
      for (const floor of result.rooms.filter((x) => x.target.includes("relay"))) {
        out.push(
          `  ${r.target} / ${floor.target}: p99 ${ratio(r.latencyMs.p99, floor.latencyMs.p99)}×, server CPU/s ${ratio(r.serverCpu.msPerS, floor.serverCpu.msPerS)}×, frames at viewers ${ratio(r.framesPerS, floor.framesPerS)}×`,
        );
      }
    }
    for (const r of result.rooms) {
      const parts = Object.entries(r.serverCpu.byProcessMsPerS ?? {}).map(([k, v]) => `${k} ${fmt(v, 0)}`);
      out.push(
        `  ${r.target}: server CPU by process (ms/s): ${parts.join(", ")}; send lag p99 ${fmt(r.sendLagMs.p99)} ms`,
      );
    }
  }
  if (result.replies.length) {
    const r0 = result.replies[0];
    out.push("");
    out.push(
      `Reply commit-to-visible: ${r0.replies} replies (+${r0.warmupReplies} warm-up) posted one at a time, ≤${r0.rate}/s, to ${r0.viewers} viewer sockets (ms)`,
    );
    out.push(
      table(
        ["target", "measure", "count", "p50", "p90", "p99", "max", "srv CPU ms/s", "srv CPU ms/reply", "machine busy%"],
        result.replies.flatMap((r) => [
          [
            r.target,
            "POST → item on each viewer",
            `${r.delivered}/${r.expected}`,
            fmt(r.visibleMs.p50),
            fmt(r.visibleMs.p90),
            fmt(r.visibleMs.p99),
            fmt(r.visibleMs.max),
            fmt(r.serverCpu.msPerS, 0),
            fmt(r.serverCpu.msPerReply, 1),
            fmt(r.machineBusyPct, 0),
          ],
          [
            r.target,
            "POST → 201 response",
            r.postMs.count,
            fmt(r.postMs.p50),
            fmt(r.postMs.p90),
            fmt(r.postMs.p99),
            fmt(r.postMs.max),
            "",
            "",
            "",
          ],
        ]),
      ),
    );
    for (const r of result.replies) {
      const parts = Object.entries(r.serverCpu.byProcessMsPerS ?? {}).map(([k, v]) => `${k} ${fmt(v, 0)}`);
      out.push(
        `  ${r.target}: server CPU by process (ms/s): ${parts.join(", ")}; POST failures ${r.postFailures}${r.firstFailure ? ` (first: ${r.firstFailure})` : ""}`,
      );
    }
  }
  out.push("");
  out.push("Targets (reported, not asserted):");
  for (const t of result.targets)
    out.push(`  ${t.met == null ? "n/a   " : t.met ? "met   " : "MISSED"}  ${t.what}: ${t.actual}`);
  return out.join("\n");
}

function evaluateTargets(result) {
  const targets = [];
  const c10 = result.comparisons.find((c) => c.viewers === 10 && c.target === "switchboard");
  const sb100 = result.drafts.find((d) => d.target === "switchboard" && d.viewers === 100);
  const r = result.replies.find((x) => x.target === "switchboard");
  if (c10) {
    targets.push({
      what: `draft fan-out p99 at 10 viewers ≤ ${TARGETS.p99At10}× the raw relay`,
      actual: `${fmt(c10.p99Ratio)}× (${fmt(c10.switchboardP99)} vs ${fmt(c10.relayP99)} ms)`,
      met: c10.p99Ratio == null ? null : c10.p99Ratio <= TARGETS.p99At10,
    });
  }
  if (sb100) {
    targets.push({
      what: `draft fan-out p99 at 100 viewers ≤ ${TARGETS.p99At100Ms} ms`,
      actual: `${fmt(sb100.latencyMs.p99)} ms (loss ${fmt(sb100.lossPct)}%)`,
      met: sb100.latencyMs.p99 == null ? null : sb100.latencyMs.p99 <= TARGETS.p99At100Ms && sb100.lost === 0,
    });
  }
  // Switchboard and any variant of it (a patched server measured in the same run).
  const floor = result.rooms.find((x) => x.target === "do-relay");
  for (const room of result.rooms.filter((x) => !x.target.includes("relay") && x.target !== "switchboard direct")) {
    const who = room.target === "switchboard" ? "" : ` (${room.target})`;
    targets.push({
      what: `large room (${room.viewers} viewers, ${room.typists} typists) draft p99 ≤ ${TARGETS.roomP99Ms} ms${who}`,
      actual: `${fmt(room.latencyMs.p99)} ms (loss ${fmt(room.lossPct)}%)`,
      met: room.latencyMs.p99 == null ? null : room.latencyMs.p99 <= TARGETS.roomP99Ms && room.lost === 0,
    });
    targets.push({
      what: `large room server CPU per second below the bare Durable Object relay's${who}`,
      actual: floor
        ? `${fmt(room.serverCpu.msPerS, 1)} vs ${fmt(floor.serverCpu.msPerS, 1)} ms/s`
        : "no do-relay in BENCH_TARGETS",
      met:
        floor?.serverCpu.msPerS == null || room.serverCpu.msPerS == null
          ? null
          : room.serverCpu.msPerS < floor.serverCpu.msPerS,
    });
  }
  if (r) {
    targets.push({
      what: `reply commit-to-visible p99 ≤ ${TARGETS.replyP99Ms} ms`,
      actual: `${fmt(r.visibleMs.p99)} ms`,
      met: r.visibleMs.p99 == null ? null : r.visibleMs.p99 <= TARGETS.replyP99Ms && r.lost === 0,
    });
  }
  return targets;
}

// ——— the run ———————————————————————————————————————————————————————————

async function main() {
  const started = new Date();
  const result = {
    date: started.toISOString(),
    label: config.label,
    machine: machineInfo(),
    loadAverage: { start: os.loadavg().map((x) => Math.round(x * 100) / 100), end: null },
    git: gitInfo(config.workerRoot),
    config: { ...config, url: undefined },
    server: null,
    drafts: [],
    comparisons: [],
    rooms: [],
    replies: [],
    targets: [],
  };
  log(`load average ${result.loadAverage.start.join(" ")} on ${result.machine.cores} cores`);

  const servers = []; // { name, root, frozen, server, base, pid, ws, conversations }
  let relay = null;
  let doRelay = null; // { staged, server }
  try {
    if (config.targets.includes("relay")) {
      relay = await startRelay();
      log(`relay listening at ${relay.url} (pid ${relay.pid})`);
    }

    if (config.targets.some((t) => t.startsWith("do-relay"))) {
      doRelay = { staged: stageWorker(path.join(HERE, "do-relay")) };
      log("do-relay: starting wrangler dev for the Durable Object relay");
      try {
        doRelay.server = await startServer({
          root: doRelay.staged.root,
          migrate: false,
          timeoutMs: 90_000,
          env: config.serverEnv,
        });
      } catch (e) {
        throw new Error(`the do-relay server did not come up: ${e.message}`);
      }
      log(`do-relay: up at ${doRelay.server.url} (wrangler pid ${doRelay.server.pid})`);
    }

    const wanted = [{ name: "switchboard", root: config.workerRoot, env: config.serverEnv }];
    if (config.variantRoot || Object.keys(config.variantEnv).length) {
      wanted.push({
        name: config.variantName,
        root: config.variantRoot ?? config.workerRoot,
        env: { ...config.serverEnv, ...config.variantEnv },
      });
    }
    await ensureAssets(wanted.filter((w) => !(w.name === "switchboard" && config.url)).map((w) => w.root));
    for (const { name, root, env: serverEnv } of wanted) {
      const entry = { name, root, frozen: null, server: null, base: null, pid: null };
      servers.push(entry);
      if (name === "switchboard" && config.url) {
        entry.base = config.url;
        entry.pid = config.serverPid;
        entry.mode = `existing server at ${config.url}${entry.pid ? ` (pid ${entry.pid})` : " (no BENCH_SERVER_PID: no server CPU)"}`;
        continue;
      }
      log(`${name}: bundling the worker of ${root} (a frozen copy, so edits to worker/ cannot restart it mid-run)`);
      entry.frozen = await freezeWorker({ sourceRoot: root });
      log(`${name}: starting wrangler dev on 127.0.0.1 with fresh local state`);
      try {
        entry.server = await startServer({ root: entry.frozen.root, timeoutMs: 90_000, env: serverEnv });
      } catch (e) {
        throw new Error(`the ${name} server did not come up: ${e.message}`);
      }
      entry.base = entry.server.url;
      entry.pid = entry.server.pid;
      entry.mode = `wrangler dev (local) on a frozen bundle of ${path.relative(ROOT, root) || "worker/"}, fresh state`;
      log(`${name}: up at ${entry.base} (wrangler pid ${entry.pid})`);
    }
    result.server = {
      mode: servers[0].mode,
      env: config.url ? null : config.serverEnv,
      variants: servers
        .slice(1)
        .map((s) => ({ name: s.name, root: s.root, env: wanted.find((w) => w.name === s.name)?.env, mode: s.mode })),
    };

    const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    for (const entry of servers) {
      const { base } = entry;
      entry.ws = await setupWorkspace(base, {
        runId,
        adminEmail: config.adminEmail,
        adminPassword: config.adminPassword,
      });
      entry.conversations = {};
      for (const n of config.viewers)
        entry.conversations[`drafts${n}`] = await newConversation(base, entry.ws, `draft fan-out to ${n}`);
      if (config.replies > 0)
        entry.conversations.replies = await newConversation(base, entry.ws, "reply commit-to-visible");
      if (config.roomViewers > 0) {
        entry.conversations.room = await newConversation(base, entry.ws, "large room");
        entry.typistTokens = await addTypists(base, entry.ws, runId, config.roomTypists);
      }
    }
    const main = servers[0];
    let directBase = null;
    if (config.targets.includes("direct")) {
      const port = main.pid && (await runtimePort(main.pid));
      if (!port)
        throw new Error(
          "BENCH_TARGETS has direct, but the runtime workerd's port was not found (needs a server this run started, or BENCH_SERVER_PID)",
        );
      directBase = `ws://127.0.0.1:${port}`;
      result.server.runtimePort = port;
      for (const n of config.viewers)
        main.conversations[`direct${n}`] = await newConversation(main.base, main.ws, `direct draft fan-out to ${n}`);
    }
    log("workspaces, users, inboxes and conversations ready");

    const roomTarget = (entry, conversationId, name = entry.name, wsBase = entry.base.replace(/^http/, "ws")) => ({
      name,
      url: `${wsBase}/api/conversations/${conversationId}/live`,
      senderHeaders: { Authorization: `Bearer ${entry.ws.adminToken}` },
      viewerHeaders: { Authorization: `Bearer ${entry.ws.viewerToken}` },
      cpuPids: { server: treePids(entry.pid) },
      senders: Math.ceil(config.rate / SOCKET_DRAFTS_PER_S),
    });
    const relayTarget = () => ({
      name: "relay",
      url: relay.url,
      senderHeaders: {},
      viewerHeaders: {},
      cpuPids: { server: treePids(relay.pid) },
    });
    const opts = {
      rate: config.rate,
      warmupS: config.warmupS,
      measureS: config.measureS,
      deflate: config.deflate,
      log,
    };
    const sbWanted = config.targets.includes("switchboard");

    for (const n of config.viewers) {
      // Per viewer count, one target after the other: background load hits them alike.
      if (relay) result.drafts.push(await draftFanout(relayTarget(), { ...opts, viewers: n }));
      for (const [name, prefix] of [
        ["do-relay", "h"],
        ["do-relay-plain", "p"],
      ]) {
        if (!config.targets.includes(name)) continue;
        const target = {
          name,
          url: `${doRelay.server.url.replace(/^http/, "ws")}/${prefix}/room-${n}`,
          senderHeaders: {},
          viewerHeaders: {},
          cpuPids: { server: treePids(doRelay.server.pid) },
        };
        result.drafts.push(await draftFanout(target, { ...opts, viewers: n }));
      }
      for (const entry of servers) {
        if (entry === main && !sbWanted) continue;
        result.drafts.push(
          await draftFanout(roomTarget(entry, entry.conversations[`drafts${n}`]), { ...opts, viewers: n }),
        );
      }
      if (directBase) {
        const target = roomTarget(main, main.conversations[`direct${n}`], "switchboard direct", directBase);
        result.drafts.push(await draftFanout(target, { ...opts, viewers: n }));
      }
      const r = result.drafts.find((d) => d.target === "relay" && d.viewers === n);
      for (const s of result.drafts.filter((d) => d.target !== "relay" && d.viewers === n)) {
        if (!r) break;
        result.comparisons.push({
          target: s.target,
          viewers: n,
          relayP99: r.latencyMs.p99,
          switchboardP99: s.latencyMs.p99,
          p99Ratio: r.latencyMs.p99 ? Math.round((s.latencyMs.p99 / r.latencyMs.p99) * 100) / 100 : null,
          p50Ratio: r.latencyMs.p50 ? Math.round((s.latencyMs.p50 / r.latencyMs.p50) * 100) / 100 : null,
          cpuRatio:
            r.serverCpu.msPer1kDeliveries && s.serverCpu.msPer1kDeliveries
              ? Math.round((s.serverCpu.msPer1kDeliveries / r.serverCpu.msPer1kDeliveries) * 10) / 10
              : null,
        });
      }
    }

    if (config.roomViewers > 0) {
      const roomOpts = {
        viewers: config.roomViewers,
        typists: config.roomTypists,
        intervalMs: config.roomDraftMs,
        warmupS: config.warmupS,
        measureS: config.measureS,
        deflate: config.deflate,
        log,
      };
      const none = Array.from({ length: config.roomTypists }, () => ({}));
      // One target after the other, like the fan-out: background load hits them alike.
      if (relay) result.rooms.push(await largeRoom({ ...relayTarget(), typistHeaders: none }, roomOpts));
      for (const [name, prefix] of [
        ["do-relay", "h"],
        ["do-relay-plain", "p"],
      ]) {
        if (!config.targets.includes(name)) continue;
        const target = {
          name,
          url: `${doRelay.server.url.replace(/^http/, "ws")}/${prefix}/large-room`,
          typistHeaders: none,
          viewerHeaders: {},
          cpuPids: { server: treePids(doRelay.server.pid) },
        };
        result.rooms.push(await largeRoom(target, roomOpts));
      }
      const withTypists = (entry, target) => ({
        ...target,
        typistHeaders: entry.typistTokens.map((t) => ({ Authorization: `Bearer ${t}` })),
      });
      for (const entry of servers) {
        if (entry === main && !sbWanted) continue;
        result.rooms.push(await largeRoom(withTypists(entry, roomTarget(entry, entry.conversations.room)), roomOpts));
      }
      if (directBase) {
        const target = roomTarget(main, main.conversations.room, "switchboard direct", directBase);
        result.rooms.push(await largeRoom(withTypists(main, target), roomOpts));
      }
    }

    if (config.replies > 0) {
      for (const entry of servers) {
        if (entry === main && !sbWanted) continue;
        const target = {
          ...roomTarget(entry, entry.conversations.replies),
          postUrl: `${entry.base}/api/conversations/${entry.conversations.replies}/messages`,
          postHeaders: { Authorization: `Bearer ${entry.ws.adminToken}` },
        };
        result.replies.push(
          await replyVisibility(target, {
            viewers: config.replyViewers,
            count: config.replies,
            warmup: config.replyWarmup,
            rate: config.replyRate,
            deflate: config.deflate,
            log,
          }),
        );
      }
    }
  } finally {
    await Promise.allSettled([relay?.stop(), doRelay?.server?.stop(), ...servers.map((s) => s.server?.stop())]);
    for (const s of servers) s.frozen?.remove();
    doRelay?.staged.remove();
  }

  result.loadAverage.end = os.loadavg().map((x) => Math.round(x * 100) / 100);
  result.durationS = Math.round((Date.now() - started.getTime()) / 1000);
  result.targets = evaluateTargets(result);

  fs.mkdirSync(config.outDir, { recursive: true });
  const file = path.join(
    config.outDir,
    `bench-${result.date.replace(/[:.]/g, "-")}${config.label ? `-${config.label.replace(/[^\w-]+/g, "_")}` : ""}.json`,
  );
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${report(result)}\n\nresults: ${path.relative(process.cwd(), file)} (${result.durationS} s)\n`);
}

runGuarded(main, { name: "the benchmark", timeoutS: config.timeoutS, log });
