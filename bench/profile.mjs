// Where the worker's time goes during draft fan-out: runs the draft load of
// `npm run bench` against a frozen local server while V8's sampling profiler
// (through workerd's inspector) records the worker's isolate, then prints the
// functions with the most self time and writes a .cpuprofile (open it in
// Chrome DevTools → Performance, or any speedscope-like viewer).
//
//   npx node bench/profile.mjs            (npm run puts Node 24 on PATH too)
//   PROFILE_MODE=replies npx node bench/profile.mjs     (the reply path instead)
//   PROFILE_VIEWERS=100 PROFILE_SECONDS=5 BENCH_WORKER_ROOT=/tmp/patched npx node bench/profile.mjs
//
// Not part of `npm run bench`: the attached profiler slows the worker down.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, startServer } from "../scripts/lib/server.mjs";
import { newConversation, setupWorkspace } from "./lib/api.mjs";
import { cpuSince, cpuSnapshot, treePids } from "./lib/cpu.mjs";
import { inspector, inspectorTarget } from "./lib/load-profile.mjs";
import { draftFanout, replyVisibility } from "./lib/live.mjs";
import { freezeWorker } from "./lib/snapshot.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const mode = process.env.PROFILE_MODE === "replies" ? "replies" : "drafts";
const viewers = Number(process.env.PROFILE_VIEWERS || 10);
const seconds = Number(process.env.PROFILE_SECONDS || 5);
const rate = Number(process.env.BENCH_RATE || 100);
const workerRoot = process.env.BENCH_WORKER_ROOT ? path.resolve(process.env.BENCH_WORKER_ROOT) : ROOT;
const log = (line) => process.stderr.write(`[profile] ${line}\n`);

/** Self and total time per function, from a V8 .cpuprofile. */
function summarizeProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const key = (n) => {
    const f = n.callFrame;
    const file = f.url ? path.basename(f.url) : "";
    return `${f.functionName || "(anonymous)"} ${file}${file ? `:${f.lineNumber + 1}` : ""}`;
  };
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    all += us;
    self.set(key(node), (self.get(key(node)) ?? 0) + us);
    // Inclusive: each distinct function on the stack once.
    const seen = new Set();
    for (let n = node; n; n = byId.get(parent.get(n.id))) {
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { allMs: all / 1000, self: top(self, 25), total: top(total, 25) };
}

let frozen = null;
let server = null;
try {
  frozen = await freezeWorker({ sourceRoot: workerRoot });
  // As in run.mjs: without wrangler's local trace collector unless told otherwise.
  const env = { X_LOCAL_OBSERVABILITY: "false" };
  for (const pair of (process.env.BENCH_SERVER_ENV || "").split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  server = await startServer({ root: frozen.root, timeoutMs: 90_000, env });
  log(`server at ${server.url}`);
  const runId = Date.now().toString(36);
  const ws = await setupWorkspace(server.url, {
    runId,
    adminEmail: "bench-admin@example.com",
    adminPassword: "bench-admin-password",
  });
  const conversationId = await newConversation(server.url, ws, "profile");
  const target = {
    name: "switchboard",
    url: `${server.url.replace(/^http/, "ws")}/api/conversations/${conversationId}/live`,
    senderHeaders: { Authorization: `Bearer ${ws.adminToken}` },
    viewerHeaders: { Authorization: `Bearer ${ws.viewerToken}` },
    cpuPids: { server: treePids(server.pid) },
  };
  const cdp = await inspector(await inspectorTarget(server.pid));
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const before = cpuSnapshot(target.cpuPids);
  const result =
    mode === "replies"
      ? await replyVisibility(
          {
            ...target,
            postUrl: `${server.url}/api/conversations/${conversationId}/messages`,
            postHeaders: { Authorization: `Bearer ${ws.adminToken}` },
          },
          { viewers, count: Math.round(seconds * 20), warmup: 10, rate: 20, log },
        )
      : await draftFanout(target, { viewers, rate, warmupS: 1, measureS: seconds, log });
  const cpu = cpuSince(before);
  const { profile } = await cdp.send("Profiler.stop");
  cdp.close();

  fs.mkdirSync(path.join(HERE, "results"), { recursive: true });
  const file = path.join(
    HERE,
    "results",
    `profile-${mode}-${viewers}v-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`,
  );
  fs.writeFileSync(file, JSON.stringify(profile));
  const s = summarizeProfile(profile);
  if (mode === "replies") {
    console.log(
      `replies to ${viewers} viewers: visible p50 ${result.visibleMs.p50} ms, p99 ${result.visibleMs.p99} ms; POST p50 ${result.postMs.p50} ms, p99 ${result.postMs.p99} ms`,
    );
  } else {
    console.log(
      `draft fan-out to ${viewers} viewers at ${rate}/s: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, delivered ${result.delivered}/${result.expected}`,
    );
  }
  console.log(
    `server CPU over ${cpu.seconds.toFixed(1)} s: ${Math.round(cpu.trees.server)} ms; JS samples in the worker isolate: ${Math.round(s.allMs)} ms (idle included)`,
  );
  console.log("\nself time (ms):");
  for (const [k, us] of s.self) console.log(`  ${(us / 1000).toFixed(1).padStart(8)}  ${k}`);
  console.log("\ntotal time (ms):");
  for (const [k, us] of s.total) console.log(`  ${(us / 1000).toFixed(1).padStart(8)}  ${k}`);
  console.log(`\nprofile: ${path.relative(process.cwd(), file)}`);
} finally {
  await server?.stop();
  frozen?.remove();
}
