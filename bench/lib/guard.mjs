// Runs a benchmark's main() so that nothing it started outlives it: on success,
// on failure, on SIGINT/SIGTERM, and when it runs past its time limit (a
// watchdog), every process group scripts/lib/server.mjs started is stopped.

import { stopAll } from "../../scripts/lib/server.mjs";

/** A failure with nothing to debug (a missing build, a port in use): reported without its stack. */
export class BenchError extends Error {}

const stopEverything = () => Promise.race([stopAll(), new Promise((r) => setTimeout(r, 15_000))]);

/** Runs `main`, then exits: 0 when it resolved, 1 when it failed or timed out, 130 on a signal. */
export function runGuarded(
  main,
  { name = "the benchmark", timeoutS, log = (line) => process.stderr.write(`${line}\n`) },
) {
  let finished = false;
  const watchdog = setTimeout(async () => {
    if (finished) return;
    log(`${name} did not finish within ${timeoutS} s: stopping everything it started`);
    await stopEverything();
    process.exit(1);
  }, timeoutS * 1000);
  watchdog.unref();

  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      log(`${signal}: stopping everything ${name} started`);
      await stopEverything();
      process.exit(130);
    });
  }

  main()
    .then(() => {
      finished = true;
      process.exit(0);
    })
    .catch(async (e) => {
      finished = true;
      process.stderr.write(`\n${name} failed: ${e instanceof BenchError ? e.message : (e.stack ?? e.message)}\n`);
      await stopEverything();
      process.exit(1);
    });
}
