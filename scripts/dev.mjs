// `npm run dev`: build the web client and keep rebuilding it on change (Vite in
// watch mode), apply pending local D1 migrations, and serve the API and the
// client with `wrangler dev`, which also reloads the worker when worker/ changes.
//
//   PORT       port on localhost (default 8787)
//   STATE_DIR  local D1 / Durable Object state (default .state at the project root)
//   DEMO_PORT  the demo customer site embedding the widget (default 8788; see scripts/lib/demo.mjs)
//
// Ctrl+C stops every process this started.

import path from "node:path";
import { startDemo } from "./lib/demo.mjs";
import { localWidgetKey } from "./lib/demo-key.mjs";
import { ROOT, portIsFree, startServer, stopAll } from "./lib/server.mjs";

const port = Number(process.env.PORT || 8787);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
  process.exit(2);
}
const demoPort = Number(process.env.DEMO_PORT || 8788);
if (!Number.isInteger(demoPort) || demoPort <= 0 || demoPort > 65535 || demoPort === port) {
  console.error(`DEMO_PORT must be a port number other than PORT, not ${JSON.stringify(process.env.DEMO_PORT)}`);
  process.exit(2);
}
if (!(await portIsFree(demoPort))) {
  console.error(
    `DEMO_PORT ${demoPort} on 127.0.0.1 is already in use: stop what holds it or set DEMO_PORT=<another port>.`,
  );
  process.exit(2);
}
// Relative STATE_DIR is taken from where `npm run dev` was typed (npm itself runs us at the root).
const stateDir = path.resolve(
  process.env.INIT_CWD || process.cwd(),
  process.env.STATE_DIR || path.join(ROOT, ".state"),
);

const say = (line) => process.stdout.write(`${line}\n`);
const prefixed = (prefix) => (line) => {
  if (line.trim()) process.stdout.write(`${prefix}${line}\n`);
};

/** The in-process Vite watchers (see watchWeb). */
let watcher;
let shuttingDown = false;
async function shutdown(code, why) {
  if (shuttingDown) return;
  shuttingDown = true;
  if (why) say(`\n${why}`);
  await Promise.all([stopAll(), watcher?.close()]).catch(() => {});
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    // A second Ctrl+C while stopping: stop waiting.
    if (shuttingDown) process.exit(130);
    shutdown(0, "Stopping Switchboard…");
  });
}

// `kill <npm's pid>` ends npm and its `sh -c`, but not us: notice the orphaning and clean up.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) shutdown(0, "The parent process is gone; stopping Switchboard…");
}, 1000).unref();

/**
 * `vite build --watch` for the web client, then for the widget's loader
 * (vite.loader.config.ts, into the same folder), run in this process (so they
 * cannot be orphaned): resolves once both first builds are written, and keeps
 * rebuilding on change. Rebuilds do not empty dist/web first, so wrangler
 * never serves a half-empty folder.
 */
async function watchWeb() {
  const { build } = await import("vite");
  const watchOne = async (configFile, what) => {
    const w = await build({ configFile, clearScreen: false, build: { watch: {}, emptyOutDir: false } });
    await new Promise((resolve, reject) => {
      let first = true;
      w.on("event", (event) => {
        if (!first) return;
        if (event.code === "END") {
          first = false;
          resolve();
        } else if (event.code === "ERROR") {
          first = false;
          reject(new Error(`${what} did not build (see above); fix it and run \`npm run dev\` again`));
        }
      });
    });
    return w;
  };
  const client = await watchOne(undefined, "the web client");
  const loader = await watchOne("vite.loader.config.ts", "the widget loader");
  watcher = { close: () => Promise.all([client.close(), loader.close()]) };
}

try {
  process.chdir(ROOT);
  say("Building the web client…");
  await watchWeb();
  say(`Applying local D1 migrations and starting wrangler dev (state: ${stateDir})…`);
  const server = await startServer({ port, stateDir, log: prefixed(""), timeoutMs: 120_000 });

  const url = `http://localhost:${port}`;
  const demo = await startDemo({ port: demoPort, appUrl: url, widgetKey: localWidgetKey(stateDir) }).catch((e) => {
    throw new Error(`the demo site could not listen on DEMO_PORT ${demoPort} (${e.code ?? e.message}); set DEMO_PORT`);
  });
  say("");
  say(
    `  Agent app:           ${url}  (a fresh state shows the first-run setup page; \`npm run seed\` fills a demo workspace)`,
  );
  say(`  Demo customer site:  ${demo.url}  (embeds the widget of the first chat inbox)`);
  say(`  Fire the cron locally:  curl "${url}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*&time=$(date +%s000)"`);
  say(`  State: ${stateDir}   The web client rebuilds on change.   Ctrl+C stops everything.`);
  say("");

  server.exited.then(({ code, signal }) =>
    shutdown(1, `wrangler dev stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the rest.`),
  );
} catch (error) {
  if (!shuttingDown) {
    // The tools' output has been shown as it came; the first line says what failed.
    console.error(`\nnpm run dev failed: ${error.message.split("\n")[0]}`);
    await shutdown(1);
  }
}
