// Start and stop a local Switchboard server: `wrangler dev` (workerd with local
// D1 and Durable Objects) on one port, with its state in one folder.
//
// Used by `npm run dev`, `npm run seed`, the browser tests (test/e2e/run.mjs)
// and the benchmarks:
//
//   import { startServer, freePort } from "../../scripts/lib/server.mjs";
//   const server = await startServer({ port: await freePort(), stateDir, build: false });
//   ... fetch(`${server.url}/api/...`) ...
//   await server.stop();
//
// wrangler 4 needs Node >= 22.12. The project brings Node 24 as a devDependency
// (node_modules/.bin/node), so this module runs wrangler and vite with that
// binary whatever Node imported it.

import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { localVapidKeys } from "./vapid-keys.mjs";

/** The project root (the folder with package.json and wrangler.toml). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const MIN_NODE = [22, 12];

function nodeIsRecentEnough(version) {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

/** The Node binary to run wrangler, vite and vitest with: the project's own, else this one if recent enough. */
export function nodeBinary(root = ROOT) {
  const local = path.join(root, "node_modules", ".bin", "node");
  if (fs.existsSync(local)) return fs.realpathSync(local);
  if (nodeIsRecentEnough(process.version)) return process.execPath;
  throw new Error(
    `wrangler needs Node >= ${MIN_NODE.join(".")}, this is ${process.version}, and ${local} is missing: run \`npm install\` first.`,
  );
}

/** Environment for child tools: the project's node_modules/.bin first on PATH, no telemetry, no Request.cf download. */
export function toolEnv(root = ROOT, extra = {}) {
  return {
    WRANGLER_SEND_METRICS: "false",
    // Offline there is no Request.cf to fetch: use miniflare's placeholder without trying.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...process.env,
    PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH ?? ""}`,
    ...extra,
  };
}

const BINS = {
  wrangler: ["wrangler", "bin", "wrangler.js"],
  vite: ["vite", "bin", "vite.js"],
};

/** argv for running a tool of the project (wrangler, vite) under the right Node. */
export function toolCommand(tool, args, root = ROOT) {
  const script = path.join(root, "node_modules", ...BINS[tool]);
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run \`npm install\` first.`);
  return [nodeBinary(root), [script, ...args]];
}

/** A TCP port that is free on 127.0.0.1 right now (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on host:port. */
export function portIsFree(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Keeps the last `max` lines of a child's output and passes each line on. */
function lineCollector(onLine, max = 400) {
  const lines = [];
  let partial = "";
  const push = (line) => {
    lines.push(line);
    if (lines.length > max) lines.shift();
    onLine?.(line);
  };
  return {
    write(chunk) {
      const text = partial + chunk.toString("utf8");
      const parts = text.split(/\r?\n/);
      partial = parts.pop() ?? "";
      for (const line of parts) push(line);
    },
    flush() {
      if (partial) push(partial);
      partial = "";
    },
    /** The kept lines, without terminal colour codes. */
    text: () => lines.join("\n").replace(ANSI_COLOUR, ""),
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is exactly what a terminal colour code starts with.
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

function logFunction(log, prefix) {
  if (typeof log === "function") return log;
  if (log) return (line) => process.stderr.write(`${prefix}${line}\n`);
  return undefined;
}

/**
 * Run a tool to completion; resolve with its output, reject with its output on failure.
 * @param {"wrangler"|"vite"} tool
 */
export function runTool(tool, args, { root = ROOT, log, env = {} } = {}) {
  const [cmd, argv] = toolCommand(tool, args, root);
  const out = lineCollector(logFunction(log, `[${tool}] `));
  // In a process group of its own, like the server, so that stopAll() can end it too.
  const { child, exited, stop } = spawnGroup(cmd, argv, {
    cwd: root,
    env: toolEnv(root, env),
    stdio: ["ignore", "pipe", "pipe"],
    privateTmp: tool === "wrangler",
  });
  child.stdout.on("data", out.write);
  child.stderr.on("data", out.write);
  const closed = new Promise((resolve) => child.on("close", resolve));
  return exited.then(async ({ code, signal, error }) => {
    await Promise.race([closed, idle(1000)]); // the rest of its output
    await stop(); // anything it left running in its group, and its temporary folder
    out.flush();
    if (code === 0) return out.text();
    throw new Error(
      `\`${tool} ${args.join(" ")}\` failed (${error?.message ?? signal ?? `exit code ${code}`}):\n${out.text()}`,
    );
  });
}

/** Build the web client into the assets folder (`vite build`), then the widget's loader (like `npm run build`). */
export async function buildWeb({ root = ROOT, log } = {}) {
  await runTool("vite", ["build"], { root, log });
  return runTool("vite", ["build", "-c", "vite.loader.config.ts"], { root, log });
}

/** Apply pending D1 migrations to the local database kept in `stateDir`. Never prompts. */
export function applyMigrations({ stateDir, root = ROOT, log }) {
  return runTool("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", stateDir], {
    root,
    log,
    env: { CI: "true" },
  });
}

/** The `[assets] directory` of wrangler.toml (dist/web here). */
export function assetsDir(root = ROOT) {
  try {
    const toml = fs.readFileSync(path.join(root, "wrangler.toml"), "utf8");
    const section = toml.split(/^\[/m).find((s) => s.startsWith("assets]"));
    const m = section?.match(/^\s*directory\s*=\s*"([^"]+)"/m);
    if (m) return path.resolve(root, m[1]);
  } catch {
    // fall through to the default
  }
  return path.join(root, "dist", "web");
}

/** Process groups started here and not yet stopped: pid → stop(). */
const live = new Map();
/** Their private temporary folders. */
const tmpDirs = new Set();
let exitHookInstalled = false;

/** Last resort: if this process exits without stop(), take the children's process groups along. */
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const pid of live.keys()) killGroup(pid, "SIGKILL");
    for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
  });
}

/** Stop every process group this module started (servers, builds, watchers) and wait for them. */
export async function stopAll() {
  await Promise.all([...live.values()].map((stop) => stop()));
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // the group is gone
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Like sleep, but does not keep the process alive (for races against other promises). */
const idle = (ms) => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Start a child in its own process group; returns { child, stop() } where stop
 * ends the whole group (SIGTERM, then SIGKILL after `graceMs`) and waits until
 * every process of it is gone.
 */
export function spawnGroup(cmd, argv, { privateTmp = false, ...options } = {}) {
  // wrangler leaves a miniflare-* folder in the temporary folder on every stop:
  // give it one of its own, removed once the whole group is gone.
  const tmp = privateTmp ? fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-tmp-")) : null;
  if (tmp) tmpDirs.add(tmp);
  const env = tmp ? { ...(options.env ?? process.env), TMPDIR: tmp, TMP: tmp, TEMP: tmp } : options.env;
  const child = spawn(cmd, argv, { ...options, env, detached: true });
  const pid = child.pid;
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
  });
  let stopping;
  const removeTmp = () => {
    if (!tmp) return;
    fs.rmSync(tmp, { recursive: true, force: true });
    tmpDirs.delete(tmp);
  };
  async function stop({ graceMs = 5000 } = {}) {
    if (!pid) return removeTmp();
    stopping ??= (async () => {
      killGroup(pid, "SIGTERM");
      const deadline = Date.now() + graceMs;
      // Wait for the leader, then for the rest of its group (workerd, esbuild…).
      await Promise.race([exited, idle(graceMs)]);
      while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
      if (groupAlive(pid)) {
        killGroup(pid, "SIGKILL");
        const hardDeadline = Date.now() + 5000;
        while (groupAlive(pid) && Date.now() < hardDeadline) await sleep(50);
      }
      await Promise.race([exited, idle(1000)]);
      live.delete(pid);
      removeTmp();
    })();
    return stopping;
  }
  if (pid) {
    live.set(pid, stop);
    installExitHook();
  }
  return { child, pid, exited, stop };
}

/**
 * The key that wraps webhook secrets in this state folder, made on first use
 * (in production it is the Worker secret WEBHOOK_SECRETS_KEY). Kept with the
 * data it protects: a new key would leave the stored secrets unreadable.
 */
export function localWebhookKey(stateDir) {
  const file = path.join(stateDir, "webhook-secrets-key");
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { mode: 0o600 });
  return fs.readFileSync(file, "utf8").trim();
}

/**
 * Start `wrangler dev` for this project.
 *
 * @param {object} o
 * @param {number} [o.port]       port on 127.0.0.1 (default: a free one)
 * @param {string} [o.stateDir]   wrangler's --persist-to folder (default: a new temporary folder, removed by stop())
 * @param {boolean} [o.build]     run `vite build` first (default false: dist/web must exist)
 * @param {boolean} [o.migrate]   apply pending local D1 migrations first (default true)
 * @param {boolean|((line: string) => void)} [o.log]  true: wrangler's output to stderr; a function: each line; default: kept quiet (shown on failure)
 * @param {number} [o.timeoutMs]  how long to wait for the server to answer (default 120 s: a busy machine is slow to start workerd)
 * @param {string[]} [o.extraArgs] more `wrangler dev` arguments
 * @param {Record<string,string>} [o.env] more environment variables for wrangler
 * @param {string} [o.root]       project root (default: this repository)
 * @returns {Promise<{url: string, port: number, stateDir: string, pid: number, exited: Promise<{code: number|null, signal: string|null}>, output: () => string, stop: () => Promise<void>}>}
 */
export async function startServer({
  port,
  stateDir,
  build = false,
  migrate = true,
  log,
  timeoutMs = 120_000,
  extraArgs = [],
  env = {},
  root = ROOT,
} = {}) {
  const onLine = logFunction(log, "[wrangler] ");
  port ??= await freePort();
  let ownState = false;
  if (!stateDir) {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-state-"));
    ownState = true;
  }
  stateDir = path.resolve(stateDir);
  fs.mkdirSync(stateDir, { recursive: true });
  const cleanupState = () => {
    if (ownState) fs.rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    if (!(await portIsFree(port))) throw new Error(`port ${port} on 127.0.0.1 is already in use (choose another PORT)`);
    if (build) await buildWeb({ root, log: onLine });
    const assets = assetsDir(root);
    if (!fs.existsSync(assets)) {
      throw new Error(
        `${path.relative(root, assets)}/ is missing: build the web client first (\`npm run build\`, or startServer({ build: true })).`,
      );
    }
    if (migrate) await applyMigrations({ stateDir, root, log: onLine });
  } catch (e) {
    cleanupState();
    throw e;
  }

  const vapid = localVapidKeys(stateDir);
  const args = [
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    stateDir,
    // 0: the OS picks the devtools port, so servers side by side never fight over 9229.
    "--inspector-port",
    "0",
    // No hotkeys, no prompts (stdin is not a terminal anyway).
    "--show-interactive-dev-session=false",
    // Locally, webhooks may point at http://localhost, and their secrets are wrapped with a key kept in the state folder.
    "--var",
    "ALLOW_LOCAL_WEBHOOKS:1",
    "--var",
    `WEBHOOK_SECRETS_KEY:${localWebhookKey(stateDir)}`,
    // Web Push: a VAPID pair made once per state folder (in production, Worker secrets).
    "--var",
    `VAPID_PUBLIC_KEY:${vapid.publicKey}`,
    "--var",
    `VAPID_PRIVATE_KEY:${vapid.privateKey}`,
    ...extraArgs,
  ];
  const [cmd, argv] = toolCommand("wrangler", args, root);
  const out = lineCollector(onLine);
  const proc = spawnGroup(cmd, argv, {
    cwd: root,
    env: toolEnv(root, env),
    stdio: ["ignore", "pipe", "pipe"],
    privateTmp: true,
  });
  proc.child.stdout.on("data", out.write);
  proc.child.stderr.on("data", out.write);

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    stopped = true;
    await proc.stop();
    out.flush();
    cleanupState();
  };

  // Ready once the worker answers an API request (any HTTP status will do). The
  // first answer can be slow on a loaded machine (workerd compiles the worker),
  // so each try may take a while and a timed-out try just leads to the next.
  const started = Date.now();
  let died = null;
  proc.exited.then((r) => (died = r));
  while (true) {
    if (died) {
      await stop();
      const how = died.error ? died.error.message : (died.signal ?? `exit code ${died.code}`);
      throw new Error(`wrangler dev exited before the server answered (${how}). Its output:\n${out.text()}`);
    }
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(
        `wrangler dev did not answer on ${url}/api/setup within ${Math.round(timeoutMs / 1000)} s. Its output:\n${out.text()}`,
      );
    }
    try {
      await fetch(`${url}/api/setup`, { signal: AbortSignal.timeout(10_000) });
      break;
    } catch {
      await sleep(150);
    }
  }

  return {
    url,
    port,
    stateDir,
    pid: proc.pid,
    exited: proc.exited,
    output: () => out.text(),
    get stopped() {
      return stopped;
    },
    stop,
  };
}
