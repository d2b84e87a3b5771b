// A frozen copy of the worker to benchmark.
//
// `wrangler dev` rebuilds and restarts the worker whenever worker/ (or the
// assets) change, which would drop every socket in the middle of a run while
// others edit the code. So the benchmark bundles the worker once
// (`wrangler deploy --dry-run --outdir`), copies the assets and migrations
// next to it, and runs `wrangler dev` on that folder: nothing it watches moves.
//
// `sourceRoot` may be another checkout or a patched copy of the project (a
// folder with wrangler.toml and worker/; node_modules is linked if missing),
// which is how a server-side change is measured without touching worker/.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, assetsDir, runTool } from "../../scripts/lib/server.mjs";

/** Rewrites `key = "…"` in the top level or in one [section] of a TOML text. */
function setTomlKey(toml, section, key, value) {
  const parts = toml.split(/^(?=\[)/m);
  const index = section ? parts.findIndex((p) => p.startsWith(`[${section}]`)) : 0;
  if (index < 0) throw new Error(`wrangler.toml has no [${section}] section`);
  const line = new RegExp(`^\\s*${key}\\s*=.*$`, "m");
  const entry = `${key} = ${JSON.stringify(value)}`;
  parts[index] = line.test(parts[index]) ? parts[index].replace(line, entry) : `${entry}\n${parts[index]}`;
  return parts.join("");
}

/**
 * Bundles the worker of `sourceRoot` into a new temporary folder laid out for
 * `startServer({ root })`. Returns { root, remove() }.
 */
export async function freezeWorker({ sourceRoot = ROOT, log } = {}) {
  sourceRoot = path.resolve(sourceRoot);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-bench-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    if (!fs.existsSync(path.join(sourceRoot, "node_modules"))) {
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(sourceRoot, "node_modules"), "dir");
    }
    // The assets come from the source's build, or the project's (a patched copy of worker/ needs none of its own).
    let assets = assetsDir(sourceRoot);
    if (!fs.existsSync(assets)) assets = assetsDir(ROOT);
    if (!fs.existsSync(assets)) {
      throw new Error(`${path.relative(ROOT, assets)}/ is missing: build the web client first (\`npm run build\`).`);
    }
    const bundle = path.join(dir, "bundle");
    await runTool("wrangler", ["deploy", "--dry-run", "--outdir", bundle, "--assets", assets], {
      root: sourceRoot,
      log,
    });
    if (!fs.existsSync(path.join(bundle, "index.js"))) throw new Error(`wrangler wrote no bundle/index.js in ${dir}`);
    fs.cpSync(assets, path.join(dir, "web"), { recursive: true });
    fs.cpSync(path.join(sourceRoot, "migrations"), path.join(dir, "migrations"), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));

    let toml = fs.readFileSync(path.join(sourceRoot, "wrangler.toml"), "utf8");
    toml = setTomlKey(toml, null, "main", "bundle/index.js");
    toml = setTomlKey(toml, null, "no_bundle", true);
    toml = setTomlKey(toml, "assets", "directory", "web");
    fs.writeFileSync(path.join(dir, "wrangler.toml"), toml);
    return { root: dir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}

/**
 * Copies a small self-contained worker folder (wrangler.toml, its script and
 * assets) to a temporary folder that `startServer({ root, migrate: false })`
 * can run, with the project's node_modules linked in. Returns { root, remove() }.
 */
export function stageWorker(sourceDir) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-bench-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.cpSync(sourceDir, dir, { recursive: true, filter: (p) => !p.includes(`${path.sep}.wrangler`) });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
    return { root: dir, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
