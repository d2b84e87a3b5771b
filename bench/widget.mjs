// `npm run bench:widget`: the chat widget's weight and speed as a visitor of a
// customer's site meets it (SPEC §6.2 budgets: loader ≤ 2 KB gzip; everything
// downloaded before the first message can be typed ≤ 25 KB gzip).
//
// Builds nothing: run `npm run build` first (it measures dist/web). Starts
// `wrangler dev` with temporary state on PORT (default: a free port), creates
// a workspace and a chat inbox through the API, serves the demo customer site
// (scripts/lib/demo.mjs) on a free port, and in headless Chromium measures:
//
//   1. the loader's size, raw and gzip (dist/web/widget.js);
//   2. every response from the Switchboard origin from page load until the
//      panel's composer is usable, as transferred (CDP encodedDataLength:
//      local wrangler dev may not compress, so the gzip size of the same
//      files in dist/ is given too);
//   3. launcher click → usable composer, BENCH_WIDGET_RUNS times (default 20),
//      each in a fresh browser context: median and p95;
//   4. the host page's JS heap after load and a GC, with the widget (closed)
//      and without it (`?widget=0`), median of BENCH_WIDGET_HEAP_RUNS (5).
//
// Prints a Markdown table and writes it to bench/results/widget.md (BENCH_OUT).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { startDemo } from "../scripts/lib/demo.mjs";
import { ROOT, assetsDir, freePort, startServer } from "../scripts/lib/server.mjs";
import { chatInbox } from "./lib/api.mjs";
import { BenchError, runGuarded } from "./lib/guard.mjs";
import { summarize } from "./lib/stats.mjs";
import { hostHeap, launch, timeToComposer, widgetDownloads } from "./lib/widget-probe.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const count = (name, fallback) => {
  const n = Number(env[name] || fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not ${env[name]}`);
  return n;
};
const config = {
  port: env.PORT ? Number(env.PORT) : null,
  runs: count("BENCH_WIDGET_RUNS", 20),
  heapRuns: count("BENCH_WIDGET_HEAP_RUNS", 5),
  outDir: path.resolve(env.BENCH_OUT || path.join(HERE, "results")),
  timeoutS: count("BENCH_TIMEOUT_SECONDS", 480),
};
const BUDGET = { loaderGzip: 2 * 1024, beforeComposerGzip: 25 * 1024 };

const log = (line) => process.stderr.write(`${line}\n`);
const gzipSize = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const kb = (bytes) => (bytes == null ? "—" : `${(bytes / 1024).toFixed(1)} KB`);
const ms = (x) => (x == null ? "—" : `${Math.round(x)} ms`);
const median = (values) => summarize(values).p50;

/** The built loader, or a clear failure when the build (or the widget in it) is missing. */
function loaderFile() {
  const dist = assetsDir(ROOT);
  if (!fs.existsSync(dist))
    throw new BenchError(`${path.relative(ROOT, dist)}/ is missing: run \`npm run build\` first.`);
  const file = path.join(dist, "widget.js");
  if (!fs.existsSync(file))
    throw new BenchError(
      `${path.relative(ROOT, file)} is missing: this build has no widget loader (run \`npm run build\`).`,
    );
  return { dist, bytes: fs.readFileSync(file) };
}

/** A served path's file in dist/ (`/widget/` is its index.html), or null (an API answer). */
function distFile(dist, url) {
  const { pathname } = new URL(url);
  if (pathname.startsWith("/api/")) return null;
  const file = path.join(dist, pathname.endsWith("/") ? `${pathname}index.html` : pathname);
  return file.startsWith(dist) && fs.existsSync(file) ? fs.readFileSync(file) : null;
}

async function setUp(base) {
  const inbox = await chatInbox(base, {
    workspace: "Widget bench",
    name: "Bench Admin",
    email: "widget-bench@example.com",
    password: "widget-bench-password",
  });
  const loader = await fetch(`${base}/widget.js`);
  if (loader.status !== 200)
    throw new BenchError(
      `GET /widget.js → ${loader.status}: the server does not serve the widget's loader (is it built?)`,
    );
  return inbox;
}

async function measure(server, demo, dist) {
  const demoUrl = `${demo.url}/`;
  const result = {};

  log("Network: what the widget downloads before its composer is usable…");
  const single = await launch({ isolateSites: false });
  try {
    result.downloads = (await widgetDownloads(single, demoUrl, server.url)).map((r) => {
      const file = distFile(dist, r.url);
      return { ...r, path: new URL(r.url).pathname + new URL(r.url).search, gzip: file ? gzipSize(file) : null };
    });
  } finally {
    await single.close();
  }

  const browser = await launch();
  try {
    log(`Launcher click → usable composer, ${config.runs} runs…`);
    result.open = [];
    for (let i = 0; i < config.runs; i++) result.open.push(await timeToComposer(browser, demoUrl, server.url));
    log(`Host page heap, ${config.heapRuns} runs with and without the widget…`);
    result.heap = { with: [], without: [] };
    for (let i = 0; i < config.heapRuns; i++) {
      result.heap.without.push(await hostHeap(browser, `${demoUrl}?widget=0`, { widget: false }));
      result.heap.with.push(await hostHeap(browser, demoUrl, { widget: true }));
    }
  } finally {
    await browser.close();
  }
  return result;
}

function report({ loader, downloads, open, heap }) {
  const transferred = downloads.reduce((sum, r) => sum + r.encoded, 0);
  const gzipStatic = downloads.reduce((sum, r) => sum + (r.gzip ?? 0), 0);
  const api = downloads.filter((r) => r.gzip == null).reduce((sum, r) => sum + r.encoded, 0);
  const times = summarize(open);
  const heapWith = median(heap.with);
  const heapWithout = median(heap.without);
  const within = (value, budget) => (value <= budget ? "within" : "**over**");
  return [
    `# Chat widget benchmark (${new Date().toISOString().slice(0, 16)}Z)`,
    "",
    "| measure | value | budget |",
    "| --- | --- | --- |",
    `| loader \`widget.js\`, raw / gzip | ${kb(loader.raw)} / ${kb(loader.gzip)} | ≤ 2 KB gzip: ${within(loader.gzip, BUDGET.loaderGzip)} |`,
    `| downloaded before the composer is usable, as transferred (${downloads.length} responses) | ${kb(transferred)} | |`,
    `| the same static files, gzip from dist/, + API answers as transferred | ${kb(gzipStatic)} + ${kb(api)} = ${kb(gzipStatic + api)} | ≤ 25 KB gzip: ${within(gzipStatic + api, BUDGET.beforeComposerGzip)} |`,
    `| launcher click → usable composer, median / p95 (${times.count} runs, fresh context each) | ${ms(times.p50)} / ${ms(p95(open))} | |`,
    `| host page JS heap after load + GC, without → with the widget (closed), median of ${heap.with.length} | ${kb(heapWithout)} → ${kb(heapWith)} (+${kb(heapWith - heapWithout)}) | |`,
    "",
    "Responses from the Switchboard origin until the composer was usable:",
    "",
    "| path | status | transferred | gzip of dist/ file |",
    "| --- | --- | --- | --- |",
    ...downloads.map(
      (r) => `| \`${r.path}\` | ${r.status ?? "—"} | ${r.encoded} B | ${r.gzip == null ? "—" : `${r.gzip} B`} |`,
    ),
    "",
    "Transferred: CDP `Network.loadingFinished.encodedDataLength` (body as sent plus headers); local `wrangler dev` may not compress, production does.",
  ].join("\n");
}

/** The 95th percentile (nearest rank). */
function p95(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)];
}

async function main() {
  const { dist, bytes } = loaderFile();
  const port = config.port ?? (await freePort());
  log(`Starting Switchboard on port ${port} (temporary state)…`);
  const server = await startServer({ port, env: { X_LOCAL_OBSERVABILITY: "false" } });
  let demo;
  try {
    const inbox = await setUp(server.url);
    demo = await startDemo({ port: 0, appUrl: server.url, widgetKey: inbox.widgetKey });
    log(`Demo site ${demo.url} embeds inbox ${inbox.widgetKey}.`);
    const measured = await measure(server, demo, dist);
    const table = report({ loader: { raw: bytes.length, gzip: gzipSize(bytes) }, ...measured });
    fs.mkdirSync(config.outDir, { recursive: true });
    fs.writeFileSync(path.join(config.outDir, "widget.md"), `${table}\n`);
    process.stdout.write(
      `${table}\n\nwritten to ${path.relative(process.cwd(), path.join(config.outDir, "widget.md"))}\n`,
    );
  } finally {
    await demo?.stop();
    await server.stop();
  }
}

runGuarded(main, { name: "bench:widget", timeoutS: config.timeoutS, log });
