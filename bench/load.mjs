// @ts-check
// `npm run bench:load`: many agents and customers at once against `wrangler dev`.
//
// Agents each hold a list socket (`GET /api/live`, saying with a watch frame
// which view and rows they show) and some a conversation socket where they
// view and type (presence, drafts); customers post chat messages through the
// widget API at LOAD_RATE per second. The agent count steps up (LOAD_STEPS);
// each step measures list-update latency (the post's HTTP answer → the row on
// every list socket that should show it), loss, frames, and the server's CPU
// by process. See bench/README.md ("Load benchmark").

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, startServer } from "../scripts/lib/server.mjs";
import { byRole, cpuSince, cpuSnapshot, runtimePort, treePids } from "./lib/cpu.mjs";
import { BenchError, runGuarded } from "./lib/guard.mjs";
import { paced } from "./lib/live.mjs";
import { ListFleet, Typist } from "./lib/load-agents.mjs";
import { startClassProfile } from "./lib/load-profile.mjs";
import { rng } from "./lib/local-d1.mjs";
import {
  ADMIN,
  createAgentsThroughApi,
  firstRows,
  planAgents,
  seedAgents,
  setupThroughApi,
} from "./lib/load-setup.mjs";
import { freezeWorker } from "./lib/snapshot.mjs";
import { round, summarize } from "./lib/stats.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;

/** @param {string} name @param {number} fallback */
const num = (name, fallback) => {
  const n = Number(env[name] || fallback);
  if (!Number.isFinite(n) || n < 0) throw new BenchError(`${name} must be a non-negative number, not ${env[name]}`);
  return n;
};
const config = {
  root: path.resolve(env.LOAD_ROOT || ROOT),
  steps: (env.LOAD_STEPS || "50,200,1000").split(",").map(Number),
  rate: num("LOAD_RATE", 10),
  seconds: num("LOAD_SECONDS", 20),
  watch: env.LOAD_WATCH !== "0",
  watchIds: num("LOAD_WATCH_IDS", 25),
  inboxes: num("LOAD_INBOXES", 10),
  perInbox: num("LOAD_CONVERSATIONS_PER_INBOX", 30),
  typistShare: num("LOAD_TYPISTS", 0.1),
  ceilingMs: num("LOAD_P99_CEILING_MS", 1000),
  drainMs: num("LOAD_DRAIN_MS", 5000),
  openConcurrency: num("LOAD_OPEN_CONCURRENCY", 20),
  profile: env.LOAD_PROFILE !== "0",
  direct: env.LOAD_DIRECT === "1",
  url: env.LOAD_URL || null,
  serverPid: env.BENCH_SERVER_PID ? Number(env.BENCH_SERVER_PID) : null,
  port: env.PORT ? Number(env.PORT) : undefined,
  outDir: path.resolve(env.BENCH_OUT || path.join(HERE, "results")),
  label: env.BENCH_LABEL || "",
  timeoutS: num("BENCH_TIMEOUT_SECONDS", 1500),
  serverEnv: env.BENCH_SERVER_ENV || "X_LOCAL_OBSERVABILITY=false",
};
if (config.steps.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new BenchError(`LOAD_STEPS must be whole numbers, not ${env.LOAD_STEPS}`);
}
/** Typists view for 6–12 s, then type for 3 s (a draft every 150 ms). */
const TYPING_PACE = { viewMs: /** @type {[number, number]} */ ([6000, 12000]), typeMs: 3000 };

const log = (/** @type {string} */ line) => process.stderr.write(`[load] ${line}\n`);
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => os.loadavg().map((x) => round(x, 2));

/** `NAME=value,…` as an object. */
function parseEnvList(/** @type {string} */ text) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const pair of text.split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/**
 * Starts the frozen worker with fresh state (the first time) or on the state already set up.
 * @param {string} root
 * @param {string} stateDir
 * @param {boolean} migrate
 */
function serve(root, stateDir, migrate) {
  return startServer({
    root,
    stateDir,
    migrate,
    port: config.port,
    timeoutMs: 120_000,
    env: parseEnvList(config.serverEnv),
    // Customers start many chats from few addresses during setup.
    extraArgs: ["--var", "WIDGET_STARTS_PER_10_MIN:100000"],
  });
}

/**
 * Server CPU per change as a line over the list frames sent per change (rows,
 * presence, pongs: everything the list sockets got in the window), fitted over
 * the steps (least squares), and what it gives at larger scales with the
 * frames per change and socket of the largest step. Background work (pings,
 * typists, idle sockets) is in the per-change figures.
 * @param {any[]} steps
 */
function fitModel(steps) {
  const pts = steps
    .filter((s) => s.changes && s.cpu.serverMsPerS != null)
    .map((s) => ({
      frames: s.framesPerS / s.changesPerS,
      ms: s.cpu.msPerChange,
      proxyMs: (s.cpu.byProcessMsPerS["workerd proxy"] ?? 0) / s.changesPerS,
      perSocket: s.framesPerS / s.changesPerS / s.listSockets,
    }));
  if (pts.length < 2) return null;
  const line = (/** @type {number[]} */ xs, /** @type {number[]} */ ys) => {
    const n = xs.length;
    const mx = xs.reduce((a, b) => a + b, 0) / n;
    const my = ys.reduce((a, b) => a + b, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) ** 2;
    }
    const slope = sxx ? sxy / sxx : 0;
    return { perChangeMs: my - slope * mx, perFrameMs: slope };
  };
  const xs = pts.map((p) => p.frames);
  const total = line(
    xs,
    pts.map((p) => p.ms),
  );
  const proxy = line(
    xs,
    pts.map((p) => p.proxyMs),
  );
  const perSocket = pts[pts.length - 1].perSocket;
  const project = (/** @type {number} */ agents, /** @type {number} */ rate) => {
    const framesPerS = rate * perSocket * agents;
    return {
      agents,
      changesPerS: rate,
      framesPerS: round(framesPerS, 0),
      serverCpuMsPerS: round(rate * total.perChangeMs + framesPerS * total.perFrameMs, 0),
      proxyCpuMsPerS: round(rate * proxy.perChangeMs + framesPerS * proxy.perFrameMs, 0),
    };
  };
  // Noise on a busy machine can tilt a line through a few points the wrong way: no projection then.
  if (!(total.perFrameMs > 0)) return { note: "CPU per change did not grow with frames in these steps: no projection" };
  return {
    serverCpu: { perChangeMs: round(total.perChangeMs, 2), perFrameMs: round(total.perFrameMs, 4) },
    proxyCpu: { perChangeMs: round(proxy.perChangeMs, 2), perFrameMs: round(proxy.perFrameMs, 4) },
    framesPerChangePerSocket: round(perSocket, 4),
    projections: [project(1000, 50), project(10_000, 200)],
  };
}

/**
 * Customer messages at `rate` per second for `seconds`, each into a random
 * conversation through the widget API; its commit time is the 201's arrival.
 * @param {string} base
 * @param {ListFleet} fleet
 * @param {import("./lib/load-setup.mjs").LoadConversation[]} conversations
 * @param {{ first: number, count: number, rate: number, rand: () => number }} o
 */
async function postMessages(base, fleet, conversations, { first, count, rate, rand }) {
  /** @type {Promise<void>[]} */
  const pending = [];
  const postMs = /** @type {number[]} */ ([]);
  const lag = await paced(count, rate, (/** @type {number} */ k) => {
    const n = first + k;
    const c = conversations[Math.floor(rand() * conversations.length)];
    /** @type {import("./lib/load-agents.mjs").Post} */
    const post = {
      n,
      conversationId: c.id,
      inboxId: c.inboxId,
      sentAt: performance.now(),
      committedAt: Number.NaN,
      failed: null,
      arrivals: new Float64Array(fleet.sockets.length).fill(Number.NaN),
    };
    fleet.addPost(post);
    pending.push(
      fetch(`${base}/api/widget/conversations/${c.id}/messages`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${c.contactToken}`,
          "Content-Type": "application/json",
          "CF-Connecting-IP": c.ip,
        },
        body: JSON.stringify({ body: `#${n} Hello, I have a question about my order.` }),
        signal: AbortSignal.timeout(30_000),
      })
        .then(async (res) => {
          const text = await res.text();
          post.committedAt = performance.now();
          postMs.push(post.committedAt - post.sentAt);
          if (res.status !== 201) post.failed = `HTTP ${res.status}: ${text.slice(0, 200)}`;
        })
        .catch((e) => {
          post.failed = e.message;
        }),
    );
  });
  await Promise.all(pending);
  return { lag, postMs };
}

/**
 * Latencies of the step over every expected delivery: send → row (the POST
 * leaving this process → the row on the socket), commit → row (the 201's
 * arrival → the row; 0 when the row came first, which is the rule: the room
 * publishes before it answers), and the fan-out spread (the post's first row
 * anywhere → this row).
 * @param {ListFleet} fleet
 */
function latencies(fleet) {
  const commit = [];
  const send = [];
  const spread = [];
  let early = 0;
  for (const post of fleet.posts.values()) {
    if (post.failed) continue;
    const got = [];
    for (let i = 0; i < post.arrivals.length; i++) {
      const at = post.arrivals[i];
      if (Number.isNaN(at) || !fleet.expects(fleet.sockets[i], post.inboxId, post.conversationId)) continue;
      got.push(at);
      commit.push(Math.max(0, at - post.committedAt));
      send.push(at - post.sentAt);
      if (at < post.committedAt) early++;
    }
    const first = Math.min(...got);
    for (const at of got) spread.push(at - first);
  }
  const r = (/** @type {ReturnType<typeof summarize>} */ s) =>
    Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === "count" ? v : round(v, 1)]));
  return {
    sendToRow: r(summarize(send)),
    commitToRow: r(summarize(commit)),
    spread: r(summarize(spread)),
    rowBeforeAnswerPct: send.length ? round((early / send.length) * 100, 1) : null,
  };
}

/**
 * Opens list sockets for agents [from, to) and typists among them; the rows
 * each agent shows are its view's first page (fetched once per inbox and step).
 * @param {{ base: string, wsBase: string, fleet: ListFleet, agents: import("./lib/load-setup.mjs").LoadAgent[],
 *   from: number, to: number, typists: Typist[], adminToken: string }} o
 */
async function addAgents({ base, wsBase, fleet, agents, from, to, typists, adminToken }) {
  /** @type {Map<string, Promise<string[]>>} */
  const rows = new Map();
  const rowsOf = (/** @type {string} */ inboxId) => {
    if (!rows.has(inboxId)) rows.set(inboxId, firstRows(base, adminToken, inboxId, config.watchIds));
    return /** @type {Promise<string[]>} */ (rows.get(inboxId));
  };
  const t0 = performance.now();
  let failures = 0;
  /** @type {string | null} */
  let firstFailure = null;
  const every = config.typistShare > 0 ? Math.round(1 / config.typistShare) : 0;
  for (let i = from; i < to; i += config.openConcurrency) {
    const batch = agents.slice(i, Math.min(to, i + config.openConcurrency));
    await Promise.all(
      batch.map(async (agent, k) => {
        const a = i + k;
        try {
          const ids = await rowsOf(agent.watchInbox);
          await fleet.open(agent, ids);
          if (every && a % every === every - 1 && ids.length) {
            const id = ids[Math.floor((((a * 7919) % 1000) / 1000) * ids.length)];
            typists.push(await Typist.open(wsBase, agent, id, a, TYPING_PACE));
          }
        } catch (e) {
          failures++;
          firstFailure ??= e.message;
        }
      }),
    );
  }
  return { openMs: round(performance.now() - t0, 0), failures, firstFailure };
}

/**
 * The profiler's samples of the worker's isolate: how many were busy, and each
 * place's share of them in %, largest first.
 * @param {Record<string, number>} counts
 */
function sampleShares(counts) {
  const busy = Object.entries(counts).filter(([k]) => k !== "idle");
  const total = busy.reduce((sum, [, n]) => sum + n, 0);
  return {
    busySamples: total,
    idleSamples: counts.idle ?? 0,
    sharePct: Object.fromEntries(
      busy.sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, round((n / Math.max(1, total)) * 100, 1)]),
    ),
  };
}

/** The top places of the isolate's busy samples, compact: `WorkspaceHub 40 · worker/db 20 · …` (%). */
function places(/** @type {ReturnType<typeof sampleShares> | null} */ shares) {
  if (!shares) return null;
  return Object.entries(shares.sharePct)
    .slice(0, 5)
    .map(([k, v]) => `${k} ${Math.round(v ?? 0)}`)
    .join(" · ");
}

/** One line of the table. */
function row(/** @type {any} */ s) {
  const cells = [
    s.listSockets,
    s.typists,
    s.changesPerS,
    s.framesPerS,
    s.sendToRow.p50,
    s.sendToRow.p99,
    s.sendToRow.max,
    s.spread.p99,
    `${s.lost}/${s.expected}`,
    s.extra,
    s.cpu.runtimePct,
    s.cpu.proxyPct,
    s.cpu.msPerChange,
    places(s.cpu.isolateSamples),
    s.machineBusyPct,
  ];
  return `| ${cells.map((c) => (c == null ? "—" : String(c))).join(" | ")} |`;
}
const HEADER = [
  "| list sockets | typists | changes/s | frames/s | send→row p50 ms | p99 ms | max ms | fan-out spread p99 ms | lost/expected | extra | runtime CPU % | proxy CPU % | CPU ms/change | isolate busy samples, top places % | machine busy % |",
  "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
];

async function main() {
  const runId = new Date().toISOString();
  const t0 = performance.now();
  log(
    `load average ${loadavg().join(" ")}; steps ${config.steps.join(" → ")}, ${config.rate} changes/s for ${config.seconds} s, watch ${config.watch ? "on" : "off"}`,
  );
  const frozen = config.url ? null : await freezeWorker({ sourceRoot: config.root });
  const stateDir = config.url ? null : fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-load-"));
  /** @type {Awaited<ReturnType<typeof startServer>> | null} */
  let server = null;
  /** @type {Typist[]} */
  const typists = [];
  /** @type {ListFleet | null} */
  let fleet = null;
  try {
    const maxAgents = Math.max(...config.steps);
    let t = performance.now();
    /** @type {Awaited<ReturnType<typeof setupThroughApi>>} */
    let setup;
    /** @type {import("./lib/load-setup.mjs").LoadAgent[]} */
    let agents;
    let base;
    let serverPid = config.serverPid;
    if (frozen && stateDir) {
      // Workspace, inboxes and chats through the API; then agents straight into D1 (server stopped).
      server = await serve(frozen.root, stateDir, true);
      setup = await setupThroughApi(server.url, { inboxCount: config.inboxes, perInbox: config.perInbox });
      log(
        `${setup.inboxes.length} inboxes, ${setup.conversations.length} chats in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      await server.stop();
      server = null;
      t = performance.now();
      agents = seedAgents(stateDir, planAgents(maxAgents, setup.inboxes));
      server = await serve(frozen.root, stateDir, false);
      base = server.url;
      serverPid = server.pid;
      log(
        `${agents.length} agents seeded, server restarted in ${((performance.now() - t) / 1000).toFixed(1)} s at ${base}`,
      );
    } else {
      // A server already running: everything through the API.
      base = /** @type {string} */ (config.url).replace(/\/$/, "");
      setup = await setupThroughApi(base, {
        inboxCount: config.inboxes,
        perInbox: config.perInbox,
        adminEmail: env.LOAD_ADMIN_EMAIL || ADMIN.email,
        adminPassword: env.LOAD_ADMIN_PASSWORD || ADMIN.password,
      });
      log(
        `${setup.inboxes.length} inboxes, ${setup.conversations.length} chats in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      t = performance.now();
      agents = await createAgentsThroughApi(base, setup.adminToken, planAgents(maxAgents, setup.inboxes), {
        runId: Date.now().toString(36),
      });
      log(`${agents.length} agents created through the API in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const setupS = round((performance.now() - t0) / 1000, 1);

    if (config.direct) {
      const port = serverPid && (await runtimePort(serverPid));
      if (!port) throw new BenchError("LOAD_DIRECT=1, but the runtime workerd's own port was not found");
      base = `http://127.0.0.1:${port}`;
      log(`direct to the runtime at ${base}, past wrangler's proxy`);
    }
    const wsBase = base.replace(/^http/, "ws");
    /** @type {{ server: number[] }} */
    const pids = { server: treePids(serverPid) };
    fleet = new ListFleet({ wsBase, watch: config.watch, watchIds: config.watchIds });
    const rand = rng(12345);
    const steps = [];
    let posted = 0;
    let stopReason = "all steps done";
    for (const target of config.steps) {
      const from = fleet.sockets.length;
      log(`step ${target}: opening list sockets ${from} → ${target}`);
      const opened = await addAgents({
        base,
        wsBase,
        fleet,
        agents,
        from,
        to: target,
        typists,
        adminToken: setup.adminToken,
      });
      await sleep(2000); // welcome presence and watch answers settle
      fleet.reset();
      const count = Math.round(config.rate * config.seconds);
      const typed = typists.reduce((sum, x) => sum + x.drafts, 0);
      const profiler =
        config.profile && frozen && serverPid
          ? await startClassProfile(serverPid, path.join(frozen.root, "bundle", "index.js")).catch((e) => {
              log(`no per-object profile: ${e.message}`);
              return null;
            })
          : null;
      const cpu0 = cpuSnapshot(pids);
      log(`step ${target}: ${count} customer messages at ${config.rate}/s, ${typists.length} typists`);
      const { lag, postMs } = await postMessages(base, fleet, setup.conversations, {
        first: posted,
        count,
        rate: config.rate,
        rand,
      });
      const cpu = cpuSince(cpu0);
      const frames = fleet.counts.frames; // the window's, before the drain
      const isolateSamples = await profiler?.stop().catch((e) => {
        log(`no per-object profile: ${e.message}`);
        return null;
      });
      posted += count;
      const drafts = typists.reduce((sum, x) => sum + x.drafts, 0) - typed;
      // Bounded wait for the rows still on their way.
      const drainStart = performance.now();
      while (fleet.missing().missing > 0 && performance.now() - drainStart < config.drainMs) await sleep(100);
      const { expected, missing } = fleet.missing();
      const failedPosts = [...fleet.posts.values()].filter((p) => p.failed);
      const lat = latencies(fleet);
      const serverMs = /** @type {Record<string, number | null>} */ (cpu.trees).server;
      const roles = byRole(cpu, pids.server);
      const step = {
        listSockets: fleet.sockets.length,
        openFailures: opened.failures,
        firstOpenFailure: opened.firstFailure,
        openMs: opened.openMs,
        typists: typists.length,
        changes: count,
        failedPosts: failedPosts.length,
        firstPostFailure: failedPosts[0]?.failed ?? null,
        changesPerS: round(count / cpu.seconds, 1),
        draftsPerS: round(drafts / cpu.seconds, 1),
        framesPerS: round(frames / cpu.seconds, 0),
        framesPerSocketPerS: round(frames / fleet.sockets.length / cpu.seconds, 2),
        frames: { ...fleet.counts },
        deliveries: { ...fleet.deliveries },
        expected,
        lost: missing,
        extra: fleet.deliveries.extra + fleet.deliveries.outOfScope,
        closedEarly: fleet.closedEarly,
        errorFramesSoFar: fleet.errorFrames,
        firstErrorFrame: fleet.firstError,
        ...lat,
        postMs: Object.fromEntries(Object.entries(summarize(postMs)).map(([k, v]) => [k, round(v, 1)])),
        sendLagMsP99: round(summarize(lag).p99, 1),
        windowS: round(cpu.seconds, 2),
        cpu: {
          serverMsPerS: serverMs == null ? null : round(serverMs / cpu.seconds, 0),
          runtimePct: pids.server.length ? round((roles["workerd runtime"] ?? 0) / 10, 1) : null,
          proxyPct: pids.server.length ? round((roles["workerd proxy"] ?? 0) / 10, 1) : null,
          msPerChange: serverMs == null ? null : round(serverMs / count, 1),
          byProcessMsPerS: roles,
          clientMsPerS: round(cpu.clientMs / cpu.seconds, 0),
          isolateSamples: isolateSamples ? sampleShares(isolateSamples) : null,
        },
        machineBusyPct: cpu.machine ? round((cpu.machine.busyMs / cpu.machine.totalMs) * 100, 1) : null,
        loadavg: loadavg(),
      };
      steps.push(step);
      log(
        `step ${target}: send→row p50 ${lat.sendToRow.p50} ms, p99 ${lat.sendToRow.p99} ms, lost ${missing}/${expected}, ${step.framesPerS} frames/s, runtime ${step.cpu.runtimePct} %, proxy ${step.cpu.proxyPct} %`,
      );
      if (opened.failures) {
        stopReason = `${opened.failures} list sockets failed to open at ${target} (${opened.firstFailure})`;
        break;
      }
      if ((lat.sendToRow.p99 ?? 0) > config.ceilingMs) {
        stopReason = `send→row p99 ${lat.sendToRow.p99} ms over the ${config.ceilingMs} ms ceiling at ${target}`;
        break;
      }
    }

    const result = {
      runId,
      label: config.label,
      root: config.root,
      config: { ...config, root: undefined },
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavgAtEnd: loadavg() },
      setup: {
        seconds: setupS,
        inboxes: setup.inboxes.length,
        conversations: setup.conversations.length,
        agents: agents.length,
      },
      stopReason,
      steps,
      model: fitModel(steps),
    };
    console.log(
      `\nLoad: ${config.rate} customer messages/s for ${config.seconds} s per step, watch ${config.watch ? "on" : "off"}${config.direct ? ", direct to the runtime" : ""}; load average ${loadavg().join(" ")}\n`,
    );
    console.log([...HEADER, ...steps.map(row)].join("\n"));
    console.log(`\n${stopReason}`);
    const m = result.model;
    if (m && "note" in m) console.log(`model: ${m.note}`);
    else if (m) {
      console.log(
        `model (least squares over the steps): server CPU per change ≈ ${m.serverCpu.perChangeMs} ms + ${m.serverCpu.perFrameMs} ms × list frames sent (wrangler's proxy: ${m.proxyCpu.perChangeMs} + ${m.proxyCpu.perFrameMs} × frames); ${m.framesPerChangePerSocket} list frames per change and socket in the largest step`,
      );
      for (const p of m.projections) {
        console.log(
          `  ${p.agents} agents × ${p.changesPerS} changes/s → ${p.framesPerS} list frames/s, server CPU ≈ ${p.serverCpuMsPerS} ms/s (proxy ${p.proxyCpuMsPerS} ms/s)`,
        );
      }
    }
    fs.mkdirSync(config.outDir, { recursive: true });
    const file = path.join(
      config.outDir,
      `load-${runId.replace(/[:.]/g, "-")}${config.label ? `-${config.label}` : ""}.json`,
    );
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`results: ${path.relative(process.cwd(), file)}`);
  } finally {
    for (const x of typists) x.stop();
    await Promise.race([
      Promise.all([
        fleet?.closeAll(),
        ...typists.map(
          (x) =>
            new Promise((r) => {
              x.ws.close();
              r(null);
            }),
        ),
      ]),
      sleep(5000),
    ]);
    await server?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
    frozen?.remove();
  }
}

runGuarded(main, { name: "the load bench", timeoutS: config.timeoutS });
