// The chat widget's size budgets (SPEC §6.2), checked on the built files (and the API
// reference's bundle against the asset size limit):
//
//   - the loader, dist/web/widget.js: at most 2 KB gzip;
//   - the service worker, dist/web/sw.js: at most 4 KB gzip;
//   - everything the widget downloads before the composer is usable (the
//     loader, the panel's HTML, its scripts — the entry and every chunk it
//     imports statically — and its stylesheets): at most 25 KB gzip.
//
//   npm run build && node scripts/check-size.mjs
//
// Prints the sizes; exits 1 when a budget is exceeded.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST = path.join(ROOT, "dist/web");
const LOADER_BUDGET = 2048;
const TOTAL_BUDGET = 25_000;

const gz = (file) => gzipSync(fs.readFileSync(file), { level: 9 }).length;
const local = (url) => path.join(DIST, url.replace(/^\//, ""));

function need(file) {
  if (!fs.existsSync(file)) {
    console.error(`check-size: ${path.relative(ROOT, file)} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
  return file;
}

/** The panel's files before first paint: scripts, module preloads and stylesheets of the HTML, and static imports. */
function initialFiles(html) {
  const found = new Set();
  const refs = /<(?:script[^>]*\ssrc|link[^>]*\srel="(?:stylesheet|modulepreload)"[^>]*\shref)="([^"]+)"/g;
  const queue = [...html.matchAll(refs)].map((m) => local(m[1]));
  while (queue.length) {
    const file = need(queue.pop());
    if (found.has(file)) continue;
    found.add(file);
    if (!file.endsWith(".js")) continue;
    // Static imports only (`import"./x.js"`, `from"./x.js"`): a dynamic import() loads later.
    for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:\bfrom|\bimport)\s*["'](\.\/[^"']+)["']/g)) {
      queue.push(path.join(path.dirname(file), m[1]));
    }
  }
  return [...found];
}

const loader = need(path.join(DIST, "widget.js"));
const page = need(path.join(DIST, "widget/index.html"));
const rows = [
  [loader, gz(loader)],
  [page, gz(page)],
  ...initialFiles(fs.readFileSync(page, "utf8")).map((f) => [f, gz(f)]),
];
const total = rows.reduce((sum, [, n]) => sum + n, 0);

for (const [file, n] of rows) console.log(`${String(n).padStart(7)} B  ${path.relative(DIST, file)}`);
console.log(`${String(total).padStart(7)} B  total before the composer is usable (budget ${TOTAL_BUDGET})`);

// The API reference's renderer (/api/docs) is loaded by that page only: no widget or app budget carries it,
// but Workers Static Assets refuse a file over 25 MiB.
const ASSET_FILE_LIMIT = 25 * 1024 * 1024;
const reference = need(path.join(DIST, "api-docs/scalar.js"));
const referenceBytes = fs.statSync(reference).size;
console.log(
  `${String(gz(reference)).padStart(7)} B  api-docs/scalar.js (/api/docs only; ${referenceBytes} B raw, asset limit ${ASSET_FILE_LIMIT})`,
);

// The service worker is fetched again on every check for updates, by every installed app.
const SW_BUDGET = 4096;
const sw = need(path.join(DIST, "sw.js"));
const swBytes = gz(sw);
console.log(`${String(swBytes).padStart(7)} B  sw.js (budget ${SW_BUDGET})`);

const failures = [];
if (swBytes > SW_BUDGET) failures.push(`sw.js is ${swBytes} B gzip (budget ${SW_BUDGET})`);
if (referenceBytes > ASSET_FILE_LIMIT)
  failures.push(`api-docs/scalar.js is ${referenceBytes} B (limit ${ASSET_FILE_LIMIT})`);
if (rows[0][1] > LOADER_BUDGET) failures.push(`the loader is ${rows[0][1]} B gzip (budget ${LOADER_BUDGET})`);
if (total > TOTAL_BUDGET)
  failures.push(`the widget needs ${total} B gzip before it is usable (budget ${TOTAL_BUDGET})`);
if (failures.length) {
  console.error(`Size budget exceeded: ${failures.join("; ")}.`);
  process.exit(1);
}
