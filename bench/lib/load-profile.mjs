// @ts-check
// CPU of the worker's isolate by Durable Object class: V8's sampling profiler
// through wrangler's inspector proxy (as bench/profile.mjs attaches it; its two
// small helpers are copied here, since that file is a script, not a module),
// each sample's time given to the innermost Durable Object class on its stack.
// The frozen bundle is one file, so a class is found by its lines: esbuild
// writes `var WorkspaceHub = class extends DurableObject {` … `};` at column 0.

import fs from "node:fs";
// @ts-expect-error ws ships no types (the project has no @types/ws)
import WebSocket from "ws";
import { listeningPorts, processRole, treePids } from "./cpu.mjs";
import { withTimeout } from "./live.mjs";

/**
 * A minimal Chrome DevTools Protocol session over the inspector's WebSocket.
 * @param {string} url
 */
export async function inspector(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  await withTimeout(
    new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    }),
    10_000,
    `inspector at ${url}`,
  );
  let id = 0;
  /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
  const pending = new Map();
  ws.on("message", (/** @type {Buffer} */ data) => {
    const msg = JSON.parse(data.toString());
    const waiting = msg.id && pending.get(msg.id);
    if (!waiting) return;
    pending.delete(msg.id);
    if (msg.error) waiting.reject(new Error(`${msg.error.message}`));
    else waiting.resolve(msg.result);
  });
  /** @param {string} method @param {object} [params] @returns {Promise<any>} */
  const send = (method, params = {}) =>
    withTimeout(
      new Promise((resolve, reject) => {
        pending.set(++id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
      60_000,
      method,
    );
  return { send, close: () => ws.terminate() };
}

/**
 * wrangler keeps the runtime's own inspector connection and offers a proxy, served by the proxy workerd.
 * @param {number} serverPid
 */
export async function inspectorTarget(serverPid) {
  for (const pid of treePids(serverPid)) {
    if (processRole(pid) !== "workerd proxy") continue;
    for (const port of listeningPorts(pid)) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
        const list = await res.json();
        if (list[0]?.webSocketDebuggerUrl) return list[0].webSocketDebuggerUrl;
      } catch {
        // not the inspector
      }
    }
  }
  throw new Error("workerd's inspector was not found");
}

/**
 * What a bundle's lines are: the Durable Object classes (line ranges, 0-based
 * as V8 counts) and the source module each line came from (esbuild marks each
 * module's start with a `// path` comment).
 * @param {string} bundleFile
 */
export function bundleMap(bundleFile) {
  const lines = fs.readFileSync(bundleFile, "utf8").split("\n");
  /** @type {{ name: string, start: number, end: number }[]} */
  const classes = [];
  /** @type {{ line: number, module: string }[]} */
  const modules = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const mod = line.match(/^\/\/ (\S+\.(?:[cm]?[jt]sx?))$/);
    if (mod) {
      const nm = mod[1].match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
      modules.push({ line: i, module: nm ? `npm:${nm[1]}` : mod[1] });
      continue;
    }
    const m = line.match(
      /^(?:var|let|const) (\w+) = class extends DurableObject\w* \{|^class (\w+) extends DurableObject\w* \{/,
    );
    if (!m) continue;
    let end = i + 1;
    while (end < lines.length && !/^\};?\s*$/.test(lines[end])) end++;
    classes.push({ name: m[1] ?? m[2], start: i, end });
  }
  return { classes, modules };
}

/**
 * The module a bundle line belongs to (binary search over the markers).
 * @param {{ line: number, module: string }[]} modules
 * @param {number} line
 */
function moduleAt(modules, line) {
  let lo = 0;
  let hi = modules.length - 1;
  let found = "";
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (modules[mid].line <= line) {
      found = modules[mid].module;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Where a stack's time goes: the innermost Durable Object class on it; else
 * the innermost module of the worker's own code (worker/rooms/*.ts by file,
 * the rest by folder); else the npm package; else the runtime (native code
 * with no bundle frame above it), idle or gc. Code that runs after an
 * `await` starts a fresh stack, so part of an object's work shows under the
 * modules it calls (worker/db, npm:drizzle-orm) rather than under its class.
 * @param {any} profile
 * @param {ReturnType<typeof bundleMap>} map
 * @returns {Record<string, number>} samples per place
 */
export function samplesByPlace(profile, map) {
  /** @type {Map<number, any>} */
  const byId = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** @type {Map<number, string>} */
  const memo = new Map();
  const placeOf = (/** @type {number} */ id) => {
    const known = memo.get(id);
    if (known) return known;
    const leaf = byId.get(id).callFrame.functionName;
    let place =
      leaf === "(idle)" ? "idle" : leaf === "(garbage collector)" ? "gc" : leaf === "(program)" ? "program" : "";
    let own = "";
    let pkg = "";
    for (let n = byId.get(id); n && !place; n = byId.get(parent.get(n.id) ?? -1)) {
      const f = n.callFrame;
      if (!f.url || !/index\.js$/.test(f.url)) continue;
      const cls = map.classes.find((x) => f.lineNumber >= x.start && f.lineNumber <= x.end);
      if (cls) place = cls.name;
      const mod = moduleAt(map.modules, f.lineNumber);
      if (mod.startsWith("npm:")) pkg ||= mod;
      else if (mod)
        own ||= mod.startsWith("worker/rooms/") ? mod.replace(/^worker\//, "") : mod.split("/").slice(0, 2).join("/");
    }
    place ||= own || pkg || "runtime";
    memo.set(id, place);
    return place;
  };
  /** @type {Record<string, number>} */
  const counts = {};
  for (const id of profile.samples) {
    const k = placeOf(id);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

/**
 * Starts V8's sampling profiler in the worker's isolate; `stop()` ends it and
 * returns the samples by place (see samplesByPlace).
 * @param {number} serverPid
 * @param {string} bundleFile
 * @param {number} intervalUs
 */
export async function startClassProfile(serverPid, bundleFile, intervalUs = 1000) {
  const map = bundleMap(bundleFile);
  const cdp = await inspector(await inspectorTarget(serverPid));
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: intervalUs });
  await cdp.send("Profiler.start");
  return {
    classes: map.classes.map((r) => r.name),
    async stop() {
      try {
        const { profile } = await cdp.send("Profiler.stop");
        if (process.env.LOAD_PROFILE_DUMP) fs.writeFileSync(process.env.LOAD_PROFILE_DUMP, JSON.stringify(profile));
        return samplesByPlace(profile, map);
      } finally {
        cdp.close();
      }
    },
  };
}
