// `npm run bench:bulk`: how long one bulk call takes to resolve 100
// conversations, each through its own room (SPEC §6.5; the goal is under 3 s
// locally). Reported, never asserted.
//
// Starts `wrangler dev` with temporary state on PORT (default: a free port),
// sets up a workspace and a chat inbox through the typed client, then
// BENCH_BULK_RUNS times (default 3): starts 100 fresh conversations and times
// `POST /api/conversations/bulk {ids, status: "resolved"}` from just
// before the request to its answer. Prints each run, the median and the
// machine's load average.

import os from "node:os";
import { apiClient, ok } from "../client/index.mjs";
import { freePort, startServer } from "../scripts/lib/server.mjs";
import { chatInbox, newConversation } from "./lib/api.mjs";
import { BenchError, runGuarded } from "./lib/guard.mjs";
import { summarize } from "./lib/stats.mjs";

const env = process.env;
const runs = Number(env.BENCH_BULK_RUNS || 3);
const SIZE = 100;
const log = (line) => process.stderr.write(`${line}\n`);

/** `count` new conversations in the inbox, ten at a time. */
async function conversations(base, admin, count, run) {
  const ids = [];
  while (ids.length < count) {
    const batch = Array.from({ length: Math.min(10, count - ids.length) }, (_, i) =>
      newConversation(base, admin, `bulk ${run}.${ids.length + i}`),
    );
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

async function main() {
  if (!Number.isInteger(runs) || runs < 1) throw new BenchError(`BENCH_BULK_RUNS must be a positive whole number`);
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const server = await startServer({ port, env: { X_LOCAL_OBSERVABILITY: "false" } });
  try {
    const base = server.url;
    const credentials = { email: "bulk-bench@example.com", password: "bulk-bench-password" };
    const inbox = await chatInbox(base, { workspace: "Bulk bench", name: "Bench Admin", ...credentials });
    const session = apiClient(base);
    await ok(session.POST("/api/auth/login", { body: credentials }));
    const { token } = await ok(session.POST("/api/me/tokens", { body: { name: "bulk bench" } }));
    const api = apiClient(base, { bearer: token });
    const admin = { adminToken: token, inboxId: inbox.id };
    const times = [];
    for (let run = 1; run <= runs; run++) {
      const ids = await conversations(base, admin, SIZE, run);
      const started = performance.now();
      const { results } = await ok(api.POST("/api/conversations/bulk", { body: { ids, status: "resolved" } }));
      const ms = performance.now() - started;
      const resolved = results.filter((r) => r.ok).length;
      if (resolved !== SIZE) throw new BenchError(`run ${run}: only ${resolved} of ${SIZE} were resolved`);
      times.push(ms);
      log(`run ${run}: ${SIZE} resolved in ${Math.round(ms)} ms`);
    }
    const { p50 } = summarize(times);
    const load = os.loadavg().map((x) => x.toFixed(2));
    console.log(
      `${SIZE} conversations resolved in one bulk call: median ${Math.round(p50)} ms over ${runs} runs ` +
        `(${times.map((t) => Math.round(t)).join(", ")} ms); load average ${load.join(" ")} on ${os.cpus().length} cores.`,
    );
  } finally {
    await server.stop();
  }
}

runGuarded(main, { name: "bench:bulk", timeoutS: Number(env.BENCH_TIMEOUT_SECONDS || 300), log });
