// CPU accounting from /proc (Linux): process trees and the whole machine.
//
// A process's utime+stime (fields 14 and 15 of /proc/<pid>/stat) counts every
// thread of it. `wrangler dev` is a Node process whose child is workerd (plus
// helpers), so a server's CPU is summed over the tree under its pid.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { round } from "./stats.mjs";

let clkTck = 100;
try {
  clkTck = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8", timeout: 2000 }).trim()) || 100;
} catch {
  // 100 on every Linux we know of
}
export const CLK_TCK = clkTck;

/** { pid, ppid, comm, ticks } of one process, or null if it is gone. */
function readStat(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // comm is in parentheses and may hold spaces: split after the last ')'.
  const close = text.lastIndexOf(")");
  const comm = text.slice(text.indexOf("(") + 1, close);
  const f = text.slice(close + 2).split(" ");
  // f[0] is field 3 (state): field n is f[n - 3].
  return { pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) };
}

function allStats() {
  const out = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/** The processes in the tree under `rootPid` (itself included), with their CPU ticks. */
export function processTree(rootPid) {
  const stats = allStats();
  const children = new Map();
  for (const s of stats) {
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid).push(s);
  }
  const root = stats.find((s) => s.pid === rootPid);
  if (!root) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i].pid) ?? []));
  return tree;
}

/** The pids of the tree under `rootPid` (itself included); [] if it is gone or not given. */
export const treePids = (rootPid) => (rootPid ? processTree(rootPid).map((s) => s.pid) : []);

/** CPU time (user + system) used so far by these processes, in ms; null when none is left. */
export function pidsCpuMs(pids) {
  let ticks = 0;
  let found = 0;
  for (const pid of pids) {
    const s = readStat(pid);
    if (s) {
      ticks += s.ticks;
      found++;
    }
  }
  return found ? (ticks * 1000) / CLK_TCK : null;
}

/** Whole-machine jiffies from /proc/stat: { busy, total } in ms. */
export function machineCpuMs() {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest is inside user)
    const idle = v[3] + (v[4] || 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: ((total - idle) * 1000) / CLK_TCK, total: (total * 1000) / CLK_TCK };
  } catch {
    return null;
  }
}

/** This process's own CPU (user + system), in ms. */
export const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * A snapshot of every CPU counter the benchmark reports: process groups
 * (name → pids, from treePids() once beforehand: reading a few stat files is
 * cheap, scanning /proc is not), this process, the machine. `cpuSince(snapshot)`
 * gives what each used since.
 */
export function cpuSnapshot(pids) {
  return {
    pids,
    at: performance.now(),
    trees: Object.fromEntries(Object.entries(pids).map(([k, list]) => [k, pidsCpuMs(list)])),
    each: Object.fromEntries(
      Object.values(pids)
        .flat()
        .map((pid) => [pid, pidsCpuMs([pid])]),
    ),
    client: selfCpuMs(),
    machine: machineCpuMs(),
  };
}

/** { seconds, trees: {name: ms|null}, clientMs, machine: {busyMs, totalMs}|null } since `before`. */
export function cpuSince(before) {
  const after = cpuSnapshot(before.pids);
  const trees = {};
  for (const k of Object.keys(before.trees)) {
    trees[k] = before.trees[k] == null || after.trees[k] == null ? null : after.trees[k] - before.trees[k];
  }
  const machine =
    before.machine && after.machine
      ? { busyMs: after.machine.busy - before.machine.busy, totalMs: after.machine.total - before.machine.total }
      : null;
  const each = {};
  for (const pid of Object.keys(before.each)) {
    if (before.each[pid] != null && after.each[pid] != null) each[pid] = after.each[pid] - before.each[pid];
  }
  return { seconds: (after.at - before.at) / 1000, trees, each, clientMs: after.client - before.client, machine };
}

/** What a process of a server's tree is, for the CPU breakdown. */
export function processRole(pid) {
  let args = [];
  try {
    args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return "gone";
  }
  const exe = path.basename(args[0] ?? "");
  if (exe === "workerd") {
    // wrangler dev runs two: a proxy on the public port and the runtime with the
    // worker (the one with the inspector).
    return args.some((a) => a.startsWith("--inspector-addr")) ? "workerd runtime" : "workerd proxy";
  }
  if (exe === "node" || exe.startsWith("node")) {
    return args.some((a) => a.includes("wrangler"))
      ? "wrangler (node)"
      : args.some((a) => a.includes("relay-server"))
        ? "relay (node)"
        : "node";
  }
  return exe || readStat(pid)?.comm || "?";
}

/** TCP ports `pid` listens on (IPv4 and IPv6), from its open sockets and /proc/net/tcp*. */
export function listeningPorts(pid) {
  const inodes = new Set();
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = fs.readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
        if (m) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports = [];
  for (const file of ["tcp", "tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${file}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "0A") continue; // 0A: LISTEN
      if (inodes.has(f[9])) ports.push(parseInt(f[1].split(":").pop(), 16));
    }
  }
  return ports;
}

/** Server CPU per process role, ms per second of the window. */
export function byRole(cpu, pids) {
  const roles = {};
  for (const pid of pids) {
    const ms = cpu.each[pid];
    if (ms == null) continue;
    const role = processRole(pid);
    roles[role] = (roles[role] ?? 0) + ms;
  }
  return Object.fromEntries(Object.entries(roles).map(([k, ms]) => [k, round(ms / cpu.seconds, 1)]));
}

/**
 * The port of the workerd that runs the worker, behind wrangler's proxy: the
 * one of its listening ports that answers the API; null if none does.
 */
export async function runtimePort(serverPid) {
  for (const pid of treePids(serverPid)) {
    if (processRole(pid) !== "workerd runtime") continue;
    for (const port of listeningPorts(pid)) {
      // A raw probe, not the typed client: most of these ports are not the API.
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/setup`, { signal: AbortSignal.timeout(3000) });
        if (res.ok && "setUp" in (await res.json())) return port;
      } catch {
        // the inspector or another internal socket
      }
    }
  }
  return null;
}
