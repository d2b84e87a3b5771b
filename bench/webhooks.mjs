// `npm run build && npm run bench:webhooks` (node bench/webhooks.mjs): what
// webhooks cost a reply, and how fast deliveries go through the local queue.
//
// Bundles a frozen copy of the worker (bench/lib/snapshot.mjs) and starts
// `wrangler dev` on it with fresh local state, once per queue setting in
// WEBHOOK_BATCH_TIMEOUTS (the consumer's max_batch_timeout written into the
// frozen copy's wrangler.toml; wrangler.toml itself is not touched). A Node
// http server on 127.0.0.1 plays the receivers: under /fast/… it answers 204 as
// soon as the body is read, under /hang/… it never answers (the worker gives up
// after its 10 s limit). It records when each delivery arrived and, from the
// payload's `timestamp` (the change's commit time, same clock), commit →
// receiver latency. Failed deliveries are retried after 12 h here
// (WEBHOOK_RETRY_SECONDS), so no retry lands inside a later measurement.
//
// 1. Reply latency (first server only): one conversation, the admin posts
//    replies one at a time, WEBHOOK_REPLY_RATE per second at most, timing each
//    POST → 201 with a raw fetch (bench/lib/live.mjs postReply). Blocks of
//    WEBHOOK_REPLIES replies alternate between three settings, the order
//    rotated every round (WEBHOOK_ROUNDS rounds), so load from other jobs
//    falls on all three alike:
//      none — no endpoint enabled (the outbox check finds no subscriber);
//      five — WEBHOOK_ENDPOINTS (5) endpoints subscribed to message.created,
//             pointing at the fast receiver (the next block waits until all
//             their deliveries arrived);
//      hang — as many endpoints pointing at the receiver that never answers
//             (the next block waits until their 10 s attempts are over).
//    Endpoints are switched with PATCH /api/webhooks/:id {enabled} between
//    blocks. Reported: p50/p90/p99 per setting, the median difference to
//    `none` with a 95% bootstrap interval over the replies, and the spread of
//    the per-round differences of block medians (the noise between blocks).
// 2. Deliveries through the queue (every server, servers alternating, each
//    WEBHOOK_TP_ROUNDS times): WEBHOOK_ENDPOINTS fast endpoints enabled;
//      trickle — WEBHOOK_TRICKLE replies at 2 per second: commit → receiver
//                latency when the queue is idle (what max_batch_timeout adds);
//      burst   — WEBHOOK_BURST replies posted as fast as the server takes them
//                over WEBHOOK_BURST_CONVERSATIONS conversations at once: time
//                from the first POST to the receiver having every delivery,
//                deliveries per second, commit → receiver p50/p90/p99; and,
//                just before, the same burst with no endpoint enabled (how
//                fast the replies themselves go without webhooks).
//
// Environment: WEBHOOK_QUICK=1 (a smoke run: fewer replies and rounds),
// WEBHOOK_REPLIES (20 per block), WEBHOOK_ROUNDS (4), WEBHOOK_REPLY_RATE (10),
// WEBHOOK_ENDPOINTS (5), WEBHOOK_TRICKLE (20), WEBHOOK_BURST (200),
// WEBHOOK_BURST_CONVERSATIONS (4), WEBHOOK_TP_ROUNDS (2),
// WEBHOOK_BATCH_TIMEOUTS ("1,0"), WEBHOOK_THROUGHPUT=0 (part 1 only),
// BENCH_WORKER_ROOT (bundle the worker of another checkout or a patched copy),
// BENCH_OUT (bench/results),
// BENCH_TIMEOUT_SECONDS (900).
// Prints a table; writes everything to bench/results/webhooks-<date>.json.
// More in bench/README.md ("Webhooks benchmark").
// Everything listens on 127.0.0.1; every wait has a timeout; the servers are
// stopped in `finally`, on SIGINT/SIGTERM and by a watchdog.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { apiClient } from "../client/index.mjs";
import { ROOT, startServer } from "../scripts/lib/server.mjs";
import { createWebhook, newConversation, setWebhookEnabled, setupWorkspace } from "./lib/api.mjs";
import { machineCpuMs } from "./lib/cpu.mjs";
import { runGuarded } from "./lib/guard.mjs";
import { paced, postReply } from "./lib/live.mjs";
import { freezeWorker } from "./lib/snapshot.mjs";
import { round, summarize } from "./lib/stats.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const quick = env.WEBHOOK_QUICK === "1";
const num = (name, full, short) => (env[name] ? Number(env[name]) : quick ? short : full);
const config = {
  quick,
  replies: num("WEBHOOK_REPLIES", 20, 10),
  warmup: 10,
  rounds: num("WEBHOOK_ROUNDS", 4, 2),
  rate: num("WEBHOOK_REPLY_RATE", 10, 10),
  endpoints: num("WEBHOOK_ENDPOINTS", 5, 5),
  trickle: num("WEBHOOK_TRICKLE", 20, 6),
  trickleRate: 2,
  burst: num("WEBHOOK_BURST", 200, 40),
  burstConversations: num("WEBHOOK_BURST_CONVERSATIONS", 4, 4),
  tpRounds: num("WEBHOOK_TP_ROUNDS", 2, 1),
  batchTimeouts: (env.WEBHOOK_BATCH_TIMEOUTS ?? "1,0").split(",").map(Number),
  throughput: env.WEBHOOK_THROUGHPUT !== "0",
  workerRoot: path.resolve(env.BENCH_WORKER_ROOT || ROOT),
  outDir: path.resolve(env.BENCH_OUT || path.join(HERE, "results")),
  timeoutS: Number(env.BENCH_TIMEOUT_SECONDS || 900),
};
/** An attempt's limit in the worker (worker/webhooks/deliver.ts ATTEMPT_TIMEOUT_MS). */
const ATTEMPT_TIMEOUT_MS = 10_000;

const log = (...a) => console.error(`[webhooks ${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadavg = () => os.loadavg().map((x) => round(x, 2));
const stats = (values) => {
  const s = summarize(values);
  return { count: s.count, p50: round(s.p50), p90: round(s.p90), p99: round(s.p99), max: round(s.max) };
};
const median = (values) => summarize(values).p50;

/**
 * The receivers: /fast/… answers 204 once the body is read, /hang/… never
 * answers. Each arrival is recorded with its path and commit → arrival (ms).
 */
async function startReceiver() {
  /** @type {{ path: string, at: number, lagMs: number | null, id: string | undefined }[]} */
  const arrivals = [];
  const hanging = new Set();
  let waiters = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let lagMs = null;
      try {
        lagMs = at - Date.parse(JSON.parse(Buffer.concat(chunks).toString("utf8")).timestamp);
      } catch {
        // not a payload: counted, without a latency
      }
      arrivals.push({ path: req.url ?? "", at, lagMs, id: req.headers["webhook-id"]?.toString() });
      if (req.url?.startsWith("/hang/")) hanging.add(res);
      else res.writeHead(204).end();
      for (const w of waiters) w();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  const count = (prefix) => arrivals.filter((a) => a.path.startsWith(prefix)).length;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    count,
    /** Resolves with the time the `n`th arrival under `prefix` came (ms since epoch), or null after `timeoutMs`. */
    async waitFor(prefix, n, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (count(prefix) < n && Date.now() < deadline) {
        await new Promise((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
        waiters = [];
      }
      const mine = arrivals.filter((a) => a.path.startsWith(prefix));
      return mine.length >= n ? mine[n - 1].at : null;
    },
    close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** 95% bootstrap interval of median(b) − median(a), resampling the replies. */
function bootstrapMedianDiff(a, b, iterations = 2000) {
  const pick = (xs) => {
    const out = new Float64Array(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(Math.random() * xs.length)];
    return out;
  };
  const diffs = [];
  for (let i = 0; i < iterations; i++) diffs.push(median(pick(b)) - median(pick(a)));
  diffs.sort((x, y) => x - y);
  return [round(diffs[Math.floor(0.025 * iterations)]), round(diffs[Math.floor(0.975 * iterations)])];
}

/** One server: a frozen worker with its queue's max_batch_timeout, a workspace, endpoints (off), conversations. */
async function startSwitchboard(batchTimeout, receiver) {
  const frozen = await freezeWorker({ sourceRoot: config.workerRoot });
  const toml = path.join(frozen.root, "wrangler.toml");
  const text = fs.readFileSync(toml, "utf8");
  if (!/^max_batch_timeout\s*=/m.test(text)) throw new Error("wrangler.toml has no max_batch_timeout");
  fs.writeFileSync(toml, text.replace(/^max_batch_timeout\s*=.*$/m, `max_batch_timeout = ${batchTimeout}`));
  const server = await startServer({
    root: frozen.root,
    timeoutMs: 90_000,
    env: { X_LOCAL_OBSERVABILITY: "false" },
    // One retry, 12 h later (the queue's longest delay): no retry of a hung delivery lands in a later block.
    extraArgs: ["--var", "WEBHOOK_RETRY_SECONDS:43200"],
  });
  const ws = await setupWorkspace(server.url, {
    runId: Date.now().toString(36),
    adminEmail: "webhooks-bench@example.com",
    adminPassword: "webhooks-bench-password",
  });
  const api = apiClient(server.url, { bearer: ws.adminToken });
  const tag = `t${batchTimeout}`;
  const hooks = { fast: [], hang: [] };
  for (const kind of /** @type {const} */ (["fast", "hang"])) {
    for (let i = 0; i < config.endpoints; i++) {
      const hook = await createWebhook(api, {
        url: `${receiver.url}/${kind}/${tag}/${i}`,
        events: ["message.created"],
        enabled: false,
      });
      hooks[kind].push(hook.id);
    }
  }
  const conversations = [];
  for (let i = 0; i < config.burstConversations; i++)
    conversations.push(await newConversation(server.url, ws, `webhooks ${i}`));
  const enabled = new Set();
  return {
    batchTimeout,
    tag,
    server,
    frozen,
    conversations,
    postUrl: (conversationId) => `${server.url}/api/conversations/${conversationId}/messages`,
    headers: { Authorization: `Bearer ${ws.adminToken}` },
    /** Enables exactly the endpoints of `kind` (none: all off). */
    async only(kind) {
      const want = new Set(kind === "none" ? [] : hooks[kind]);
      for (const id of [...hooks.fast, ...hooks.hang]) {
        if (want.has(id) === enabled.has(id)) continue;
        await setWebhookEnabled(api, id, want.has(id));
        if (want.has(id)) enabled.add(id);
        else enabled.delete(id);
      }
    },
    async stop() {
      await server.stop();
      frozen.remove();
    },
  };
}

let replyCounter = 0;
/** `count` replies into one conversation at `rate` per second at most; each POST → 201 in ms. */
async function timedReplies(sb, conversationId, count, rate) {
  const times = [];
  let failures = 0;
  await paced(count, rate, async () => {
    const t0 = performance.now();
    try {
      await postReply(sb.postUrl(conversationId), sb.headers, `Webhook bench reply ${replyCounter++}`);
      times.push(performance.now() - t0);
    } catch {
      failures++;
    }
  });
  return { times, failures };
}

const machineBusy = (before) => {
  const now = machineCpuMs();
  return before && now ? round(((now.busy - before.busy) / (now.total - before.total)) * 100, 1) : null;
};

/** Part 1: reply latency with no endpoint, 5 fast ones, 5 that never answer; blocks alternate. */
async function replyLatency(sb, receiver) {
  const conversation = sb.conversations[0];
  const kinds = ["none", "five", "hang"];
  await sb.only("none");
  await timedReplies(sb, conversation, config.warmup, config.rate);
  const blocks = [];
  for (let r = 0; r < config.rounds; r++) {
    const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]);
    for (const kind of order) {
      await sb.only(kind === "five" ? "fast" : kind);
      const prefix = kind === "hang" ? `/hang/${sb.tag}/` : `/fast/${sb.tag}/`;
      const before = receiver.count(prefix);
      const cpu = machineCpuMs();
      const blockStart = Date.now();
      const { times, failures } = await timedReplies(sb, conversation, config.replies, config.rate);
      const busyPct = machineBusy(cpu);
      const block = { round: r, kind, busyPct, failures, p50: round(median(times)), times: times.map((t) => round(t)) };
      if (kind !== "none") {
        // Let this block's deliveries finish (a hung attempt ends at the worker's 10 s limit) before the next block.
        const expected = before + times.length * config.endpoints;
        const last = await receiver.waitFor(prefix, expected, 120_000);
        block.deliveriesArrived = receiver.count(prefix) - before;
        if (kind === "hang" && last) await sleep(Math.max(0, last + ATTEMPT_TIMEOUT_MS + 1000 - Date.now()));
        const mine = receiver.arrivals.filter((a) => a.path.startsWith(prefix)).slice(before);
        if (mine.length) block.arrivalSpreadS = round((mine.at(-1).at - mine[0].at) / 1000);
        // When each delivery arrived, in s from the block's first POST (shows batches held up by hung attempts).
        block.arrivalsS = mine.map((a) => round((a.at - blockStart) / 1000, 1));
      }
      blocks.push(block);
      log(
        `round ${r + 1}/${config.rounds} ${kind}: POST p50 ${block.p50} ms, machine ${busyPct}% busy${
          block.deliveriesArrived != null ? `, ${block.deliveriesArrived} deliveries in ${block.arrivalSpreadS} s` : ""
        }`,
      );
    }
  }
  await sb.only("none");
  const all = (kind) => blocks.filter((b) => b.kind === kind).flatMap((b) => b.times);
  const summary = {};
  for (const kind of kinds) summary[kind] = stats(all(kind));
  const versus = {};
  for (const kind of ["five", "hang"]) {
    const perRound = [];
    for (let r = 0; r < config.rounds; r++) {
      const at = (k) => blocks.find((b) => b.round === r && b.kind === k)?.p50;
      perRound.push(round(at(kind) - at("none")));
    }
    versus[kind] = {
      medianDiffMs: round(median(all(kind)) - median(all("none"))),
      bootstrap95: bootstrapMedianDiff(all("none"), all(kind)),
      perRoundBlockMedianDiffs: perRound,
    };
  }
  // The noise between blocks of the same setting: spread of the `none` blocks' medians.
  const noneMedians = blocks.filter((b) => b.kind === "none").map((b) => b.p50);
  return {
    blocks,
    summary,
    versus,
    noneBlockMedianSpreadMs: round(Math.max(...noneMedians) - Math.min(...noneMedians)),
  };
}

/** Part 2a: commit → receiver when the queue is idle. */
async function trickle(sb, receiver) {
  const prefix = `/fast/${sb.tag}/`;
  const before = receiver.count(prefix);
  await timedReplies(sb, sb.conversations[0], config.trickle, config.trickleRate);
  await receiver.waitFor(prefix, before + config.trickle * config.endpoints, 60_000);
  const mine = receiver.arrivals.filter((a) => a.path.startsWith(prefix)).slice(before);
  return { events: config.trickle, deliveries: mine.length, commitToReceiverMs: stats(mine.map((a) => a.lagMs)) };
}

/** WEBHOOK_BURST replies, one at a time per conversation, all conversations at once. */
async function postBurst(sb) {
  const t0 = Date.now();
  let next = 0;
  let failures = 0;
  await Promise.all(
    sb.conversations.map(async (conversation) => {
      while (next < config.burst) {
        next++;
        try {
          await postReply(sb.postUrl(conversation), sb.headers, `Webhook burst reply ${replyCounter++}`);
        } catch {
          failures++;
        }
      }
    }),
  );
  return { failures, sentS: (Date.now() - t0) / 1000 };
}

/** Part 2b: a burst of replies over several conversations at once; deliveries per second until the last arrives. */
async function burst(sb, receiver) {
  const prefix = `/fast/${sb.tag}/`;
  // The same burst with no endpoint enabled first: how fast replies go without webhooks.
  await sb.only("none");
  const plain = await postBurst(sb);
  await sb.only("fast");
  const before = receiver.count(prefix);
  const expected = config.burst * config.endpoints;
  const cpu = machineCpuMs();
  const t0 = Date.now();
  const { failures, sentS } = await postBurst(sb);
  const last = await receiver.waitFor(prefix, before + expected - failures * config.endpoints, 180_000);
  const busyPct = machineBusy(cpu);
  const mine = receiver.arrivals.filter((a) => a.path.startsWith(prefix)).slice(before);
  const doneS = last ? (last - t0) / 1000 : null;
  const duplicates = mine.length - new Set(mine.map((a) => `${a.path} ${a.id}`)).size;
  return {
    events: config.burst,
    endpoints: config.endpoints,
    repliesWithoutWebhooksSentInS: round(plain.sentS),
    postFailures: failures,
    deliveries: mine.length,
    duplicates,
    repliesSentInS: round(sentS),
    allDeliveredInS: round(doneS),
    deliveriesPerS: doneS ? round(mine.length / doneS, 1) : null,
    busyPct,
    commitToReceiverMs: stats(mine.map((a) => a.lagMs)),
  };
}

function table(headers, rows) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

function report(result) {
  const out = [
    `load average at start ${result.loadAverage.start.join(" ")}, at end ${result.loadAverage.end.join(" ")}`,
  ];
  const lat = result.replyLatency;
  if (lat) {
    out.push(
      "",
      `Reply POST → 201 (ms), ${config.rounds} rounds × ${config.replies} replies per setting, ${config.rate}/s, blocks alternating; max_batch_timeout ${result.servers[0].batchTimeout}`,
    );
    const names = {
      none: "no webhooks",
      five: `${config.endpoints} webhooks, receiver answers 204`,
      hang: `${config.endpoints} webhooks, receiver never answers`,
    };
    out.push(
      table(
        ["setting", "replies", "p50", "p90", "p99", "median − none (95% bootstrap)", "per-round block-median diffs"],
        Object.entries(lat.summary).map(([kind, s]) => {
          const v = lat.versus[kind];
          return [
            names[kind],
            s.count,
            s.p50,
            s.p90,
            s.p99,
            v ? `${v.medianDiffMs} [${v.bootstrap95.join(", ")}]` : "—",
            v ? v.perRoundBlockMedianDiffs.join(", ") : `none-block medians spread ${lat.noneBlockMedianSpreadMs}`,
          ];
        }),
      ),
    );
  }
  out.push("", `Deliveries through the local queue (${config.endpoints} endpoints, message.created)`);
  out.push(
    table(
      [
        "max_batch_timeout",
        "round",
        "trickle commit→receiver p50 / p99",
        "burst events × endpoints",
        "replies sent in",
        "all delivered in",
        "deliveries/s",
        "burst commit→receiver p50 / p90 / p99",
        "machine busy",
      ],
      result.throughput.map((t) => [
        `${t.batchTimeout} s`,
        t.round + 1,
        `${t.trickle.commitToReceiverMs.p50} / ${t.trickle.commitToReceiverMs.p99} ms`,
        `${t.burst.events} × ${t.burst.endpoints} (${t.burst.deliveries} arrived, ${t.burst.duplicates} dup.)`,
        `${t.burst.repliesSentInS} s (${t.burst.repliesWithoutWebhooksSentInS} s without webhooks)`,
        `${t.burst.allDeliveredInS} s`,
        t.burst.deliveriesPerS,
        `${t.burst.commitToReceiverMs.p50} / ${t.burst.commitToReceiverMs.p90} / ${t.burst.commitToReceiverMs.p99} ms`,
        `${t.burst.busyPct}%`,
      ]),
    ),
  );
  return out.join("\n");
}

async function main() {
  const started = Date.now();
  const result = {
    kind: "webhooks",
    startedAt: new Date().toISOString(),
    config,
    commit: (() => {
      try {
        return execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
      } catch {
        return null;
      }
    })(),
    machine: { cpus: os.cpus().length, node: process.version },
    loadAverage: { start: loadavg(), end: null },
    servers: [],
    replyLatency: null,
    throughput: [],
  };
  log(`load average ${result.loadAverage.start.join(" ")}; ${JSON.stringify(config)}`);
  const receiver = await startReceiver();
  const servers = [];
  try {
    for (const t of config.batchTimeouts) {
      log(`bundling a frozen worker with max_batch_timeout = ${t} and starting wrangler dev`);
      try {
        servers.push(await startSwitchboard(t, receiver));
        result.servers.push({ batchTimeout: t, ok: true });
      } catch (e) {
        log(`max_batch_timeout = ${t}: the server did not start (${e.message.split("\n")[0]})`);
        result.servers.push({ batchTimeout: t, ok: false, error: e.message.slice(0, 2000) });
      }
    }
    if (!servers.length) throw new Error("no server started");
    log(`part 1: reply latency on max_batch_timeout = ${servers[0].batchTimeout}`);
    result.replyLatency = await replyLatency(servers[0], receiver);
    for (const sb of servers) await sb.only("fast");
    for (let r = 0; r < (config.throughput ? config.tpRounds : 0); r++) {
      for (const sb of servers) {
        const tr = await trickle(sb, receiver);
        const b = await burst(sb, receiver);
        result.throughput.push({ batchTimeout: sb.batchTimeout, round: r, trickle: tr, burst: b });
        log(
          `max_batch_timeout ${sb.batchTimeout}, round ${r + 1}: trickle p50 ${tr.commitToReceiverMs.p50} ms; burst ${b.deliveries} deliveries in ${b.allDeliveredInS} s (${b.deliveriesPerS}/s), p50 ${b.commitToReceiverMs.p50} ms`,
        );
      }
    }
  } finally {
    for (const sb of servers) await sb.stop();
    await receiver.close();
  }
  result.loadAverage.end = loadavg();
  result.durationS = round((Date.now() - started) / 1000, 1);
  fs.mkdirSync(config.outDir, { recursive: true });
  const file = path.join(config.outDir, `webhooks-${result.startedAt.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${report(result)}\n\nresults: ${path.relative(process.cwd(), file)} (${result.durationS} s)\n`);
}

runGuarded(main, { name: "the webhooks benchmark", timeoutS: config.timeoutS });
