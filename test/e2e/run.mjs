// Runs the browser tests: one fresh Switchboard server (wrangler dev with its
// own temporary state) for the whole run, then `node --test` over
// test/e2e/*.test.mjs, one file at a time, in name order.
//
//   npm run build && node test/e2e/run.mjs [name filter…]
//
// E2E_PORT picks the port (default: a free one); E2E_KEEP_STATE=1 keeps the
// state folder for a look afterwards; E2E_LOG=1 shows wrangler's output.
//
// Built to hold on a busy machine: the server is ready when it answers (polled,
// with a generous timeout), a test that hangs fails after E2E_TEST_TIMEOUT ms
// instead of blocking CI, and the test runner (with the browsers its files
// launch) runs in a process group of its own that is ended by its PID.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, nodeBinary, spawnGroup, startServer } from "../../scripts/lib/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  console.error(`Chromium is missing at ${chromium}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}

const filters = process.argv.slice(2);
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith(".test.mjs") && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort()
  .map((f) => path.join(here, f));
if (files.length === 0) {
  console.error(`No test files match ${filters.join(", ")}`);
  process.exit(1);
}

const port = process.env.E2E_PORT ? Number(process.env.E2E_PORT) : await freePort();
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-e2e-"));
const keepState = process.env.E2E_KEEP_STATE === "1";
/** A single test taking longer than this has hung (the slowest take about 20 s on a busy machine). */
const testTimeout = Number(process.env.E2E_TEST_TIMEOUT ?? 180_000);

let server;
let runner;
let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  await runner?.stop().catch((e) => console.error(`Stopping the test runner failed: ${e.message}`));
  await server?.stop().catch((e) => console.error(`Stopping the server failed: ${e.message}`));
  if (keepState) console.error(`State kept in ${stateDir}`);
  else fs.rmSync(stateDir, { recursive: true, force: true });
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void finish(130));

try {
  console.error(`Starting Switchboard on port ${port} (state: ${stateDir})…`);
  server = await startServer({
    port,
    stateDir,
    log: process.env.E2E_LOG === "1" ? true : undefined,
    // Every browser here is one visitor address; the start limit itself is tested in test/worker.
    extraArgs: ["--var", "WIDGET_STARTS_PER_10_MIN:10000"],
  });
} catch (error) {
  console.error(`The server did not start: ${error.message}`);
  await finish(1);
}

process.env.BASE_URL = server.url;
console.error(`Server ready at ${server.url}; running ${files.length} test file(s).`);
// The project's Node 24 (a test imports TypeScript sources), also when this script runs under an older one.
runner = spawnGroup(nodeBinary(), ["--test", "--test-concurrency=1", `--test-timeout=${testTimeout}`, ...files], {
  stdio: "inherit",
  env: process.env,
});
const code = await runner.exited.then(({ code, error }) => {
  if (error) console.error(`Could not run node --test: ${error.message}`);
  return code ?? 1;
});
// Whatever the runner left behind in its group (a browser of a file that was cut short).
await runner.stop();
runner = null;
if (code !== 0 && process.env.E2E_LOG !== "1") {
  console.error(`\nLast lines of the server's output:\n${server.output().split("\n").slice(-40).join("\n")}`);
}
await finish(code);
