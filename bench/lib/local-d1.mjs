// The local D1 database's file, and a seeded random source: what the benches
// that write straight into wrangler's local state share (bench/lists/seed.mjs,
// bench/lib/load-setup.mjs).

import fs from "node:fs";
import path from "node:path";

/**
 * The D1 database file under a --persist-to folder (the one that holds `conversations`).
 * @param {string} stateDir
 */
export function d1File(stateDir) {
  const dir = path.join(stateDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ") || "none"}`);
  return path.join(dir, files[0]);
}

/**
 * Small deterministic PRNG (mulberry32): the same data on every run.
 * @param {number} seed
 */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
