// `npm run bench:attachments` (node bench/attachments.mjs): file transfer
// throughput and the server's memory while a file passes through it.
//
// Bundles a frozen copy of the worker (bench/lib/snapshot.mjs), starts
// `wrangler dev` on it on a free port (PORT to choose) with fresh local
// D1/R2 state and the migrations applied, sets up a workspace, an admin with an
// API token and an inbox (bench/lib/api.mjs), then over loopback, with a file
// of BENCH_ATT_MIB MiB (default 20) of random bytes, BENCH_ATT_RUNS times
// (default 5) each:
//
//   1. upload, Content-Length declared: POST /api/attachments?inboxId=…&name=…,
//      the raw body written in 64 KiB chunks with backpressure;
//   2. upload without Content-Length (Transfer-Encoding: chunked, a stream);
//   3. download: GET /api/attachments/:id read to the end, sha256 checked
//      against the upload's;
//   4. resume: GET with `Range: bytes=<half>-`, 206, the second half's sha256.
//
// During every transfer a worker thread samples VmRSS (and RssAnon) of each
// process wrangler started (found by pid under the wrangler process: wrangler's
// Node process, the proxy workerd on the public port, the runtime workerd that
// runs the worker and the local R2/D1 simulators) every BENCH_ATT_SAMPLE_MS
// (20) ms: baseline just before, peak during, peak − baseline.
// The same set runs against the runtime workerd's own port too, bypassing
// wrangler's proxy (BENCH_ATT_DIRECT=0 skips it), to tell the two apart.
// Then the refusal: 25 MiB + 1 byte, declared and streamed, and a streamed
// 100 MiB: the answer, the time to it and how many body bytes the client had
// written by then.
// Then, on a fresh server of its own, BENCH_ATT_HEAP_RUNS (3) uploads of each
// kind while the worker isolate's own V8 heap is read through wrangler's
// inspector proxy (Runtime.getHeapUsage every ~30 ms: JS heap and ArrayBuffer
// backing stores): the worker's memory apart from the rest of the runtime.
// Last, the floor (BENCH_ATT_FLOOR=0 skips it): bench/r2-floor, a worker that
// only puts and gets R2 objects or reads a body and drops it, measured the same
// way under its own wrangler dev: what the local platform costs by itself.
//
// Prints Markdown tables; writes everything to
// bench/results/attachments-<date>.json (BENCH_OUT for another folder).
// Everything listens on 127.0.0.1; every wait has a timeout; the server is
// stopped in `finally`, on SIGINT/SIGTERM and by a watchdog
// (BENCH_TIMEOUT_SECONDS, 600).

import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import WebSocket from "ws";
import { ROOT, assetsDir, freePort, startServer } from "../scripts/lib/server.mjs";
import { setupWorkspace } from "./lib/api.mjs";
import { listeningPorts, machineCpuMs, pidsCpuMs, processRole, treePids } from "./lib/cpu.mjs";
import { BenchError, runGuarded } from "./lib/guard.mjs";
import { withTimeout } from "./lib/live.mjs";
import { freezeWorker, stageWorker } from "./lib/snapshot.mjs";
import { round, summarize } from "./lib/stats.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const num = (name, fallback) => {
  const n = Number(env[name] || fallback);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${env[name]}`);
  return n;
};
const config = {
  port: env.PORT ? Number(env.PORT) : null,
  mib: num("BENCH_ATT_MIB", 20),
  runs: num("BENCH_ATT_RUNS", 5),
  sampleMs: num("BENCH_ATT_SAMPLE_MS", 20),
  direct: env.BENCH_ATT_DIRECT !== "0",
  floor: env.BENCH_ATT_FLOOR !== "0",
  heapRuns: env.BENCH_ATT_HEAP_RUNS === "0" ? 0 : num("BENCH_ATT_HEAP_RUNS", 3),
  chunkBytes: 64 * 1024,
  limitBytes: 25 * 1024 * 1024, // MAX_ATTACHMENT_BYTES (worker/contract/limits.ts)
  outDir: path.resolve(env.BENCH_OUT || path.join(HERE, "results")),
  timeoutS: num("BENCH_TIMEOUT_SECONDS", 600),
};
const TRANSFER_TIMEOUT_MS = 120_000;
const KINDS = ["upload, Content-Length", "upload, chunked", "download", "range (2nd half)"];
const FLOOR_KINDS = [
  "R2 put of the body, Content-Length",
  "read the body only (no R2), chunked",
  "R2 get",
  "R2 get, range (2nd half)",
];

const log = (line) => process.stderr.write(`[attachments ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (buf) => crypto.createHash("sha256").update(buf).digest("hex");
const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
const mib = (kb) => (kb == null ? null : round(kb / 1024, 1));
const loadavg = () => os.loadavg().map((x) => round(x));

function safe(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}
const packageVersion = (name) =>
  safe(() => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8")).version);

// ——— memory ————————————————————————————————————————————————————————————

/** VmRSS and RssAnon of a process in kB (from /proc/<pid>/status), or null when it is gone. */
function readRss(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const field = (name) => Number(text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? Number.NaN);
  return { rss: field("VmRSS"), anon: field("RssAnon"), hwm: field("VmHWM") };
}

// A worker thread, so that sampling keeps its pace while the main thread is busy
// writing or hashing: it reads every pid's status, waits `intervalMs` on a
// shared flag (Atomics.wait: woken at once when told to stop) and keeps each
// pid's peak, the peak of their sum, and the longest gap between samples.
const SAMPLER = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { pids, intervalMs, flag } = workerData;
const control = new Int32Array(flag);
const read = (pid) => {
  try {
    const t = fs.readFileSync("/proc/" + pid + "/status", "utf8");
    const f = (n) => Number((t.match(new RegExp("^" + n + ":\\\\s+(\\\\d+) kB", "m")) || [])[1]);
    return { rss: f("VmRSS"), anon: f("RssAnon") };
  } catch { return null; }
};
const peak = {};
let sumPeak = 0, sumAnonPeak = 0, samples = 0, maxGap = 0, last = null;
const series = [];
const started = performance.now();
do {
  const now = performance.now();
  if (last !== null) maxGap = Math.max(maxGap, now - last);
  last = now;
  let sum = 0, sumAnon = 0;
  for (const pid of pids) {
    const r = read(pid);
    if (!r) continue;
    const p = (peak[pid] ??= { rss: 0, anon: 0 });
    p.rss = Math.max(p.rss, r.rss);
    p.anon = Math.max(p.anon, r.anon);
    sum += r.rss;
    sumAnon += r.anon;
  }
  sumPeak = Math.max(sumPeak, sum);
  sumAnonPeak = Math.max(sumAnonPeak, sumAnon);
  series.push([Math.round(now - started), sum]);
  samples++;
} while (Atomics.wait(control, 0, 1, intervalMs) !== "not-equal" && Atomics.load(control, 0) === 1);
parentPort.postMessage({ peak, sumPeak, sumAnonPeak, samples, maxGapMs: maxGap, series });
`;

/** Starts sampling `pids`; `stop()` resolves with the peaks. */
function startSampler(pids, intervalMs) {
  const flag = new SharedArrayBuffer(4);
  const control = new Int32Array(flag);
  control[0] = 1;
  const worker = new Worker(SAMPLER, { eval: true, workerData: { pids, intervalMs, flag } });
  const done = new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const online = new Promise((resolve) => worker.once("online", resolve));
  return {
    online,
    async stop() {
      Atomics.store(control, 0, 0);
      Atomics.notify(control, 0);
      const result = await Promise.race([done, sleep(10_000).then(() => null)]);
      await worker.terminate();
      if (!result) throw new Error("the memory sampler did not answer");
      return result;
    },
  };
}

/** Median RSS of each pid over a few samples (the state just before a transfer). */
async function baseline(pids, count = 5, intervalMs = config.sampleMs) {
  const per = Object.fromEntries(pids.map((pid) => [pid, { rss: [], anon: [] }]));
  for (let i = 0; i < count; i++) {
    for (const pid of pids) {
      const r = readRss(pid);
      if (r) {
        per[pid].rss.push(r.rss);
        per[pid].anon.push(r.anon);
      }
    }
    if (i < count - 1) await sleep(intervalMs);
  }
  const med = (a) => (a.length ? summarize(a).p50 : null);
  return Object.fromEntries(pids.map((pid) => [pid, { rss: med(per[pid].rss), anon: med(per[pid].anon) }]));
}

// ——— transfers —————————————————————————————————————————————————————————

/** One HTTP request over a new connection; `send(req)` writes the body. Resolves at the end of the answer. */
function exchange(url, { method = "GET", headers = {}, send, onData } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttfb = null;
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      ttfb = performance.now() - t0;
      const chunks = [];
      let bytes = 0;
      res.on("data", (chunk) => {
        bytes += chunk.length;
        if (onData) onData(chunk);
        else chunks.push(chunk);
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          bytes,
          body: onData ? null : Buffer.concat(chunks),
          ttfbMs: ttfb,
          ms: performance.now() - t0,
          req,
        }),
      );
      res.on("error", reject);
    });
    req.setTimeout(TRANSFER_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url}: no progress for 120 s`)));
    req.on("error", reject);
    if (send) send(req);
    else req.end();
  });
}

/** Writes `data` in chunks, waiting for 'drain' (no more than one chunk queued in Node); stops when `stop()` says so. */
function pump(req, data, chunkBytes, { stop = () => false, written = { bytes: 0 } } = {}) {
  let offset = 0;
  const next = () => {
    while (offset < data.length) {
      if (stop()) return;
      const end = Math.min(offset + chunkBytes, data.length);
      const ok = req.write(data.subarray(offset, end));
      written.bytes += end - offset;
      offset = end;
      if (!ok) {
        req.once("drain", next);
        return;
      }
    }
    req.end();
  };
  next();
  return written;
}

/** POSTs `data` to `url` (declared length or chunked); the answer must be 201 with `size` = the bytes sent. */
async function upload(url, auth, data, { chunked }) {
  const headers = { "Content-Type": "application/octet-stream" };
  if (auth) headers.Authorization = `Bearer ${auth}`;
  if (!chunked) headers["Content-Length"] = String(data.length);
  const r = await exchange(url, { method: "POST", headers, send: (req) => pump(req, data, config.chunkBytes) });
  const json = safe(() => JSON.parse(r.body.toString("utf8")));
  if (r.status !== 201 || json?.size !== data.length) {
    throw new Error(
      `upload (${chunked ? "chunked" : "Content-Length"}) → ${r.status}: ${r.body.toString("utf8").slice(0, 300)}`,
    );
  }
  return { ms: r.ms, ttfbMs: r.ttfbMs, bytes: data.length, id: json.id ?? null };
}

/** GETs `url` (from byte `from` on: a Range request), hashing the body as it arrives; checks status, length, sha256. */
async function download(url, auth, { from = 0, expectedHash, expectedBytes, total }) {
  const hash = crypto.createHash("sha256");
  const headers = {};
  if (auth) headers.Authorization = `Bearer ${auth}`;
  if (from > 0) headers.Range = `bytes=${from}-`;
  const r = await exchange(url, { headers, onData: (chunk) => hash.update(chunk) });
  const digest = hash.digest("hex");
  const wantStatus = from > 0 ? 206 : 200;
  if (r.status !== wantStatus)
    throw new Error(`GET ${from > 0 ? `Range bytes=${from}-` : ""} → ${r.status}, not ${wantStatus}`);
  if (r.bytes !== expectedBytes) throw new Error(`download: ${r.bytes} bytes, not ${expectedBytes}`);
  if (digest !== expectedHash) throw new Error(`download: sha256 ${digest} is not the upload's ${expectedHash}`);
  if (from > 0 && r.headers["content-range"] !== `bytes ${from}-${total - 1}/${total}`) {
    throw new Error(`range: Content-Range ${r.headers["content-range"]}, not bytes ${from}-${total - 1}/${total}`);
  }
  return { ms: r.ms, ttfbMs: r.ttfbMs, bytes: r.bytes, sha256Ok: true };
}

/**
 * An upload over the cap: `size` bytes, declared (Content-Length) or streamed
 * (chunked). The request's headers go first and the body only after
 * `headStartMs` without an answer, so a refusal on the declared length can
 * arrive before any of the body. Resolves with the status (or the connection
 * error, when the server closed it before the client could read an answer),
 * the time to it, and how many body bytes the client had handed to its socket
 * by then: an upper bound on what the server read (loopback socket buffers and
 * the proxy hold some in between). Writing stops at the answer.
 */
function oversize(base, auth, inboxId, { size, chunked, headStartMs = 200 }) {
  const block = crypto.randomBytes(config.chunkBytes);
  const url = `${base}/api/attachments?inboxId=${encodeURIComponent(inboxId)}&name=too-big.bin`;
  const headers = { Authorization: `Bearer ${auth}`, "Content-Type": "application/octet-stream" };
  if (!chunked) headers["Content-Length"] = String(size);
  return new Promise((resolve) => {
    const t0 = performance.now();
    let outcome = null;
    let settled = false;
    const written = { bytes: 0 };
    const settle = (extra = {}) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ size, chunked, ...outcome, ...extra });
    };
    const timer = setTimeout(() => settle({ note: "no answer within 120 s" }), TRANSFER_TIMEOUT_MS);
    const note = (fields) => {
      outcome ??= {
        msToAnswer: performance.now() - t0,
        msAfterBodyStart: bodyStart == null ? null : performance.now() - bodyStart,
        bodyBytesWrittenAtAnswer: written.bytes,
        wroteAll: written.bytes === size,
        ...fields,
      };
    };
    const req = http.request(url, { method: "POST", headers, agent: false }, (res) => {
      note({ status: res.statusCode });
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => settle({ body: text.slice(0, 200) }));
      res.on("error", () => settle({ note: "the answer was cut off" }));
    });
    // The server may close the connection while the client still writes: before
    // an answer could be read (then that is the outcome), or after it.
    req.on("error", (e) => {
      note({ status: null, connectionError: e.code ?? e.message });
      settle();
    });
    req.flushHeaders();
    let offset = 0;
    let bodyStart = null;
    const write = () => {
      bodyStart ??= performance.now();
      while (offset < size && !outcome) {
        const n = Math.min(block.length, size - offset);
        const ok = req.write(n === block.length ? block : block.subarray(0, n));
        offset += n;
        written.bytes = offset;
        if (!ok) return void req.once("drain", write);
      }
      if (!outcome) req.end();
    };
    setTimeout(() => {
      if (!outcome) write();
    }, headStartMs);
  });
}

// ——— the server ————————————————————————————————————————————————————————

/** The processes under wrangler, each with its role, and the runtime workerd's API port (null if not found). */
async function serverProcesses(wranglerPid) {
  const processes = treePids(wranglerPid).map((pid) => ({ pid, role: processRole(pid), ports: listeningPorts(pid) }));
  let runtimePort = null;
  for (const p of processes) {
    if (p.role !== "workerd runtime" || runtimePort) continue;
    for (const port of p.ports) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/setup`, { signal: AbortSignal.timeout(3000) });
        if (res.ok && "setUp" in (await res.json())) {
          runtimePort = port;
          break;
        }
      } catch {
        // the inspector or another internal socket
      }
    }
  }
  // Two processes of one role get numbered, so every label is unique.
  const seen = {};
  for (const p of processes) {
    seen[p.role] = (seen[p.role] ?? 0) + 1;
    if (processes.filter((q) => q.role === p.role).length > 1) p.role = `${p.role} #${seen[p.role]}`;
  }
  return { processes, runtimePort };
}

// ——— the worker's own isolate ———————————————————————————————————————————

/**
 * The worker isolate's V8 heap through wrangler's inspector proxy (served by
 * the proxy workerd; wrangler keeps the runtime's own connection): a minimal
 * DevTools Protocol session. `usage()` is Runtime.getHeapUsage: usedSize and
 * totalSize of the JS heap, backingStorageSize of the ArrayBuffers (file bytes
 * in the worker live there). workerd does not answer HeapProfiler.collectGarbage,
 * so garbage not yet collected counts too: the peaks are upper bounds.
 */
async function isolateHeap(wranglerPid) {
  let url = null;
  for (const pid of treePids(wranglerPid)) {
    if (processRole(pid) !== "workerd proxy") continue;
    for (const port of listeningPorts(pid)) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
        url ??= (await res.json())[0]?.webSocketDebuggerUrl ?? null;
      } catch {
        // not the inspector
      }
    }
  }
  if (!url) return null;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await withTimeout(
    new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    }),
    10_000,
    `the inspector at ${url}`,
  );
  let id = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    const waiting = msg.id && pending.get(msg.id);
    if (!waiting) return;
    pending.delete(msg.id);
    if (msg.error) waiting.reject(new Error(msg.error.message));
    else waiting.resolve(msg.result);
  });
  const send = (method) =>
    withTimeout(
      new Promise((resolve, reject) => {
        pending.set(++id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params: {} }));
      }),
      10_000,
      method,
    );
  return { url, usage: () => send("Runtime.getHeapUsage"), close: () => ws.terminate() };
}

/** Uploads while polling the isolate's heap every ~30 ms: the peaks, in MiB, next to the idle heap before. */
async function heapDuring(heap, fn) {
  const before = await heap.usage();
  const peak = { usedSize: 0, totalSize: 0, backingStorageSize: 0 };
  let probes = 0;
  let done = false;
  const transfer = fn().finally(() => (done = true));
  while (!done) {
    const u = await heap.usage();
    probes++;
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], u[k] ?? 0);
    await sleep(30);
  }
  const result = await transfer;
  const m = (x) => round(x / 2 ** 20, 1);
  return {
    mbps: round(mbps(result.bytes, result.ms)),
    probes,
    before: {
      usedMiB: m(before.usedSize),
      totalMiB: m(before.totalSize),
      backingMiB: m(before.backingStorageSize ?? 0),
    },
    peak: { usedMiB: m(peak.usedSize), totalMiB: m(peak.totalSize), backingMiB: m(peak.backingStorageSize) },
  };
}

// ——— the run ———————————————————————————————————————————————————————————

/** Runs `fn` while sampling; returns its result with the memory (kB, per role and summed) and CPU it took. */
async function measured(processes, fn) {
  const pids = processes.map((p) => p.pid);
  const before = await baseline(pids);
  const sampler = startSampler(pids, config.sampleMs);
  await sampler.online;
  await sleep(config.sampleMs); // at least one sample before the transfer starts
  const cpu0 = Object.fromEntries(pids.map((pid) => [pid, pidsCpuMs([pid])]));
  const machine0 = machineCpuMs();
  let result;
  let error;
  try {
    result = await fn();
  } catch (e) {
    error = e;
  }
  const memory = await sampler.stop();
  if (error) throw error;
  const machine1 = machineCpuMs();
  const perProcess = {};
  let baseSum = 0;
  let baseAnonSum = 0;
  for (const p of processes) {
    const b = before[p.pid];
    const peak = memory.peak[p.pid];
    const cpu1 = pidsCpuMs([p.pid]);
    perProcess[p.role] = {
      pid: p.pid,
      baselineKb: b.rss,
      peakKb: peak?.rss ?? null,
      increaseKb: peak && b.rss != null ? peak.rss - b.rss : null,
      anonBaselineKb: b.anon,
      anonIncreaseKb: peak && b.anon != null ? peak.anon - b.anon : null,
      cpuMs: cpu1 != null && cpu0[p.pid] != null ? cpu1 - cpu0[p.pid] : null,
    };
    baseSum += b.rss ?? 0;
    baseAnonSum += b.anon ?? 0;
  }
  return {
    ...result,
    mbps: round(mbps(result.bytes, result.ms)),
    ms: round(result.ms, 1),
    ttfbMs: round(result.ttfbMs, 1),
    memory: {
      samples: memory.samples,
      maxGapMs: round(memory.maxGapMs, 1),
      baselineKb: baseSum,
      peakKb: memory.sumPeak,
      increaseKb: memory.sumPeak - baseSum,
      anonIncreaseKb: memory.sumAnonPeak - baseAnonSum,
      perProcess,
      series: memory.series,
    },
    machineBusy:
      machine0 && machine1 ? round((machine1.busy - machine0.busy) / (machine1.total - machine0.total), 2) : null,
  };
}

/** One small round trip down every path (not measured). */
async function warmUp(target, warm) {
  const { id } = await upload(target.upload(false, "warm"), target.auth, warm, { chunked: false });
  await upload(target.upload(true, "warm"), target.auth, warm, { chunked: true });
  const expect = { expectedHash: sha256(warm), expectedBytes: warm.length, total: warm.length };
  await download(target.download(id, "warm"), target.auth, expect);
}

/**
 * `config.runs` rounds of: upload with a declared length (kept for the
 * downloads), the second upload (chunked), the download, the range request.
 * `target` gives the URLs: { auth, upload(chunked, round), download(id, round) }.
 */
async function transfers(label, target, kinds, data, hash, processes) {
  const half = Math.floor(data.length / 2);
  const halfHash = sha256(data.subarray(half));
  const runs = Object.fromEntries(kinds.map((k) => [k, []]));
  const { auth } = target;
  for (let i = 0; i < config.runs; i++) {
    const up = await measured(processes, () => upload(target.upload(false, i), auth, data, { chunked: false }));
    runs[kinds[0]].push(up);
    runs[kinds[1]].push(await measured(processes, () => upload(target.upload(true, i), auth, data, { chunked: true })));
    const file = target.download(up.id, i);
    runs[kinds[2]].push(
      await measured(processes, () =>
        download(file, auth, { expectedHash: hash, expectedBytes: data.length, total: data.length }),
      ),
    );
    runs[kinds[3]].push(
      await measured(processes, () =>
        download(file, auth, {
          from: half,
          expectedHash: halfHash,
          expectedBytes: data.length - half,
          total: data.length,
        }),
      ),
    );
    const last = kinds.map((k) => `${runs[k].at(-1).mbps} MB/s (+${mib(runs[k].at(-1).memory.increaseKb)} MiB)`);
    log(`${label} run ${i + 1}/${config.runs}: ${last.join(", ")}`);
  }
  return { kinds: summarise(runs), runs };
}

/** Median and best throughput, and the memory increase (median and worst) per kind and per process. */
function summarise(runs) {
  const out = {};
  for (const [kind, list] of Object.entries(runs)) {
    const speeds = summarize(list.map((r) => r.mbps));
    const inc = list.map((r) => r.memory.increaseKb);
    const roles = Object.keys(list[0].memory.perProcess);
    out[kind] = {
      runs: list.length,
      medianMBps: round(speeds.p50),
      bestMBps: round(speeds.max),
      medianMs: round(summarize(list.map((r) => r.ms)).p50, 1),
      memory: {
        baselineMiB: mib(list[0].memory.baselineKb),
        peakMiB: mib(Math.max(...list.map((r) => r.memory.peakKb))),
        increaseMedianMiB: mib(summarize(inc).p50),
        increaseMaxMiB: mib(Math.max(...inc)),
        // The first transfer of a kind grows the runtime's heap; later ones show what each transfer holds.
        increaseFirstMiB: mib(inc[0]),
        increaseLaterMedianMiB: inc.length > 1 ? mib(summarize(inc.slice(1)).p50) : null,
        increaseLaterMaxMiB: inc.length > 1 ? mib(Math.max(...inc.slice(1))) : null,
        anonIncreaseMaxMiB: mib(Math.max(...list.map((r) => r.memory.anonIncreaseKb))),
        perProcess: Object.fromEntries(
          roles.map((role) => {
            const incs = list.map((r) => r.memory.perProcess[role].increaseKb).filter((x) => x != null);
            const cpu = list.map((r) => r.memory.perProcess[role].cpuMs).filter((x) => x != null);
            return [
              role,
              {
                baselineMiB: mib(list[0].memory.perProcess[role].baselineKb),
                peakMiB: mib(Math.max(...list.map((r) => r.memory.perProcess[role].peakKb ?? 0))),
                increaseMedianMiB: mib(summarize(incs).p50),
                increaseMaxMiB: mib(Math.max(...incs)),
                increaseFirstMiB: mib(incs[0]),
                increaseLaterMaxMiB: incs.length > 1 ? mib(Math.max(...incs.slice(1))) : null,
                cpuMsMedian: round(summarize(cpu).p50),
              },
            ];
          }),
        ),
      },
      samplesMin: Math.min(...list.map((r) => r.memory.samples)),
      sampleGapMaxMs: Math.max(...list.map((r) => r.memory.maxGapMs)),
      machineBusyMedian: round(summarize(list.map((r) => r.machineBusy ?? 0)).p50, 2),
    };
  }
  return out;
}

function rssNow(processes) {
  return Object.fromEntries(
    processes.map((p) => {
      const r = readRss(p.pid);
      return [p.role, r ? { pid: p.pid, rssMiB: mib(r.rss), anonMiB: mib(r.anon), hwmMiB: mib(r.hwm) } : null];
    }),
  );
}

// ——— output ————————————————————————————————————————————————————————————

function report(result) {
  const f = (x) => (x == null ? "–" : String(x));
  const lines = [
    `# Attachments benchmark (${result.date.slice(0, 16)}Z)`,
    "",
    `${result.fileMiB} MiB of random bytes, ${result.config.runs} runs per row, loopback; MB/s = 10^6 bytes/s.`,
    `Load average at start ${result.loadAverage.start.join(" ")}, at end ${result.loadAverage.end.join(" ")} (${result.machine.cores} cores).`,
  ];
  for (const [label, t] of Object.entries(result.targets)) {
    lines.push(
      "",
      `## ${label}`,
      "",
      "| transfer | median MB/s | best MB/s | median ms | server RSS before → peak (MiB) | peak − before (MiB): 1st run; later runs median / worst | machine busy |",
      "| --- | ---: | ---: | ---: | --- | --- | ---: |",
    );
    for (const [kind, k] of Object.entries(t.kinds)) {
      lines.push(
        `| ${kind} | ${k.medianMBps} | ${k.bestMBps} | ${k.medianMs} | ${k.memory.baselineMiB} → ${k.memory.peakMiB} | +${k.memory.increaseFirstMiB}; +${f(k.memory.increaseLaterMedianMiB)} / +${f(k.memory.increaseLaterMaxMiB)} | ${Math.round(k.machineBusyMedian * 100)} % |`,
      );
    }
    const roles = Object.keys(Object.values(t.kinds)[0].memory.perProcess);
    lines.push(
      "",
      "Per process, peak − before (MiB): 1st run / worst later run (RSS before the first run in brackets):",
      "",
      `| transfer | ${roles.map((r) => `${r} [${Object.values(t.kinds)[0].memory.perProcess[r].baselineMiB}]`).join(" | ")} |`,
      `| --- | ${roles.map(() => "---:").join(" | ")} |`,
    );
    for (const [kind, k] of Object.entries(t.kinds)) {
      lines.push(
        `| ${kind} | ${roles.map((r) => `+${f(k.memory.perProcess[r].increaseFirstMiB)} / +${f(k.memory.perProcess[r].increaseLaterMaxMiB)}`).join(" | ")} |`,
      );
    }
  }
  if (result.isolateHeap) {
    lines.push(
      "",
      "## The worker's isolate during uploads (a fresh server; V8 Runtime.getHeapUsage every ~30 ms, garbage included)",
      "",
      "| upload | MB/s | JS heap used, before → peak (MiB) | ArrayBuffer backing stores, before → peak (MiB) | probes |",
      "| --- | ---: | --- | --- | ---: |",
    );
    for (const h of result.isolateHeap.runs) {
      lines.push(
        `| ${h.chunked ? "chunked" : "Content-Length"} | ${h.mbps} | ${h.before.usedMiB} → ${h.peak.usedMiB} | ${h.before.backingMiB} → ${h.peak.backingMiB} | ${h.probes} |`,
      );
    }
  }
  lines.push(
    "",
    `## Over the cap (${result.config.limitBytes / 2 ** 20} MiB)`,
    "",
    "The request's headers go first; the body follows 200 ms later unless an answer came.",
    "",
    "| via | size | body | answer | ms to it (after the body started) | body bytes the client had written by then |",
    "| --- | ---: | --- | --- | --- | ---: |",
  );
  for (const o of result.oversize) {
    const after = o.msAfterBodyStart == null ? "body not started" : `${round(o.msAfterBodyStart, 1)}`;
    lines.push(
      `| ${o.target} | ${o.size.toLocaleString("en")} | ${o.chunked ? "chunked" : "Content-Length"} | ${o.status ?? `connection closed (${o.connectionError})`} | ${round(o.msToAnswer, 1)} (${after}) | ${o.bodyBytesWrittenAtAnswer.toLocaleString("en")} (${round((100 * o.bodyBytesWrittenAtAnswer) / o.size, 1)} %) |`,
    );
  }
  lines.push(
    "",
    "Server processes, RSS after the warm-up → at the end (anonymous at the end; high-water mark), MiB:",
    "",
  );
  for (const [name, srv] of Object.entries(result.servers)) {
    const parts = Object.entries(srv.rssAtEnd ?? {}).map(
      ([role, r]) =>
        `${role} (pid ${r?.pid}) ${srv.rssAtStart?.[role]?.rssMiB} → ${r?.rssMiB} (${r?.anonMiB}; ${r?.hwmMiB})`,
    );
    lines.push(`- ${name} (wrangler pid ${srv.wranglerPid}): ${parts.join(", ")}`);
  }
  return lines.join("\n");
}

// ——— main ——————————————————————————————————————————————————————————————

async function main() {
  if (process.platform !== "linux") throw new BenchError("bench:attachments reads /proc: it runs on Linux only.");
  if (!fs.existsSync(assetsDir(ROOT)))
    throw new BenchError(`${path.relative(ROOT, assetsDir(ROOT))}/ is missing: run \`npm run build\` first.`);
  const started = Date.now();
  const result = {
    date: new Date().toISOString(),
    config: { ...config, outDir: undefined },
    fileMiB: config.mib,
    machine: {
      cpuModel: os.cpus()[0]?.model ?? null,
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      kernel: `${os.type()} ${os.release()}`,
      node: process.version,
      wrangler: packageVersion("wrangler"),
      workerd: packageVersion("wrangler/node_modules/workerd") ?? packageVersion("workerd"),
    },
    commit: safe(() => execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()),
    loadAverage: { start: loadavg(), end: null },
    servers: {},
    targets: {},
    oversize: [],
  };
  log(`load average ${result.loadAverage.start.join(" ")}; bundling a frozen copy of the worker`);
  const data = crypto.randomBytes(Math.round(config.mib * 1024 * 1024));
  const hash = sha256(data);
  const warm = crypto.randomBytes(1024 * 1024);
  const frozen = await freezeWorker();
  let server;
  try {
    const port = config.port ?? (await freePort());
    log(`starting wrangler dev on 127.0.0.1:${port} with fresh local state (migrations applied)`);
    server = await startServer({ root: frozen.root, port, timeoutMs: 90_000, env: { X_LOCAL_OBSERVABILITY: "false" } });
    const ws = await setupWorkspace(server.url, {
      runId: Date.now().toString(36),
      adminEmail: "attachments-bench@example.com",
      adminPassword: "attachments-bench-password",
    });
    const { processes, runtimePort } = await serverProcesses(server.pid);
    result.servers.switchboard = { wranglerPid: server.pid, port, runtimePort, processes };
    log(`wrangler pid ${server.pid}: ${processes.map((p) => `${p.role} ${p.pid} [${p.ports.join(",")}]`).join("; ")}`);

    const bases = { "Switchboard, via wrangler's proxy": server.url };
    if (config.direct) {
      if (runtimePort) bases["Switchboard, direct to the runtime workerd"] = `http://127.0.0.1:${runtimePort}`;
      else log("the runtime workerd's port was not found: only the run through the proxy");
    }
    const targetOf = (base) => ({
      auth: ws.adminToken,
      upload: () => `${base}/api/attachments?inboxId=${encodeURIComponent(ws.inboxId)}&name=bench.bin`,
      download: (id) => `${base}/api/attachments/${id}`,
    });
    // Warm-up (not counted): the first request down each path compiles and allocates.
    for (const base of Object.values(bases)) await warmUp(targetOf(base), warm);
    result.servers.switchboard.rssAtStart = rssNow(processes);
    for (const [label, base] of Object.entries(bases)) {
      log(`${label} (${base}): ${config.runs} runs of ${KINDS.join(", ")}`);
      const t = await transfers(label, targetOf(base), KINDS, data, hash, processes);
      result.targets[label] = { server: "switchboard", base, ...t };
    }

    const over = config.limitBytes + 1;
    const cases = [
      { size: over, chunked: false },
      { size: over, chunked: true },
      // Streamed, much larger: does the answer come once the cap is passed, or only after everything?
      { size: 4 * config.limitBytes, chunked: true },
    ];
    for (const [label, base] of Object.entries(bases)) {
      for (const c of cases) {
        const o = await oversize(base, ws.adminToken, ws.inboxId, c);
        result.oversize.push({ target: label, ...o });
        log(
          `${o.size} bytes, ${c.chunked ? "chunked" : "declared"}, ${label}: ${o.status ?? o.connectionError} after ${round(o.msToAnswer, 1)} ms, ${o.bodyBytesWrittenAtAnswer} body bytes written`,
        );
      }
    }
    result.servers.switchboard.rssAtEnd = rssNow(processes);
    await server.stop();
    server = null;

    if (config.heapRuns > 0) {
      // A fresh server of its own, so that its first upload meets an isolate with no garbage in it yet,
      // and the inspector's session cannot touch the numbers above.
      log("isolate heap: a fresh wrangler dev, uploads while reading the worker's V8 heap through the inspector");
      server = await startServer({ root: frozen.root, timeoutMs: 90_000, env: { X_LOCAL_OBSERVABILITY: "false" } });
      const fresh = await setupWorkspace(server.url, {
        runId: `${Date.now().toString(36)}h`,
        adminEmail: "attachments-bench@example.com",
        adminPassword: "attachments-bench-password",
      });
      const heap = await isolateHeap(server.pid);
      if (!heap) log("the inspector was not found: no isolate heap numbers");
      else {
        try {
          const url = `${server.url}/api/attachments?inboxId=${encodeURIComponent(fresh.inboxId)}&name=bench.bin`;
          result.isolateHeap = { inspector: heap.url, runs: [] };
          for (let i = 0; i < config.heapRuns; i++) {
            for (const chunked of [false, true]) {
              const h = await heapDuring(heap, () => upload(url, fresh.adminToken, data, { chunked }));
              result.isolateHeap.runs.push({ chunked, ...h });
              log(`isolate heap, upload ${chunked ? "chunked" : "declared"}: ${JSON.stringify(h)}`);
            }
          }
        } finally {
          heap.close();
        }
      }
    }
  } finally {
    if (server) await server.stop();
    frozen.remove();
  }

  if (config.floor) {
    // The same transfers through a worker that only moves bytes (bench/r2-floor): what the platform costs.
    const staged = stageWorker(path.join(HERE, "r2-floor"));
    let floor;
    try {
      log("floor: starting wrangler dev for bench/r2-floor (R2 put/get of the raw body, nothing else)");
      floor = await startServer({
        root: staged.root,
        migrate: false,
        timeoutMs: 90_000,
        env: { X_LOCAL_OBSERVABILITY: "false" },
      });
      const { processes, runtimePort } = await serverProcesses(floor.pid);
      result.servers.floor = { wranglerPid: floor.pid, port: floor.port, runtimePort, processes };
      const target = {
        auth: null,
        upload: (chunked, i) => (chunked ? `${floor.url}/drain` : `${floor.url}/put?key=file-${i}`),
        download: (_id, i) => `${floor.url}/get?key=file-${i}`,
      };
      await warmUp(target, warm);
      result.servers.floor.rssAtStart = rssNow(processes);
      const label = "floor: R2 put/get only, via wrangler's proxy";
      log(`${label}: ${config.runs} runs of ${FLOOR_KINDS.join(", ")}`);
      result.targets[label] = {
        server: "floor",
        base: floor.url,
        ...(await transfers(label, target, FLOOR_KINDS, data, hash, processes)),
      };
      result.servers.floor.rssAtEnd = rssNow(processes);
    } finally {
      if (floor) await floor.stop();
      staged.remove();
    }
  }
  result.loadAverage.end = loadavg();
  result.durationS = Math.round((Date.now() - started) / 1000);
  fs.mkdirSync(config.outDir, { recursive: true });
  const file = path.join(config.outDir, `attachments-${result.date.replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${report(result)}\n\nresults: ${path.relative(process.cwd(), file)} (${result.durationS} s)\n`);
}

runGuarded(main, { name: "bench:attachments", timeoutS: config.timeoutS, log });
