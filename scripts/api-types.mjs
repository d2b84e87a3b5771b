// `npm run api:types`: write client/api.d.ts, the TypeScript types of the HTTP
// API, from the OpenAPI document the real worker serves (GET /api/openapi.json).
// Starts its own `wrangler dev` on a free port with temporary state (building
// the web client first when dist/web is missing), so it works offline and
// never touches a running server.
//
//   npm run api:types              regenerate client/api.d.ts
//   npm run api:types -- --check   exit 1 when the committed file differs from
//                                  what would be generated (nothing written)

import fs from "node:fs";
import path from "node:path";
import { TYPES_FILE, apiTypes, staleness } from "@switchboard/api-types";
import { ROOT, assetsDir, startServer, stopAll } from "./lib/server.mjs";

const check = process.argv.includes("--check");

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

/** The document the worker serves, from a server of our own. */
async function servedDocument() {
  const build = !fs.existsSync(assetsDir());
  if (build) console.error("dist/web is missing: building the web client first…");
  // The document does not read D1: no migrations needed.
  const server = await startServer({ build, migrate: false });
  try {
    const res = await fetch(`${server.url}/api/openapi.json`, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`GET /api/openapi.json → ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return await res.json();
  } finally {
    await server.stop();
  }
}

try {
  const document = await servedDocument();
  if (check) {
    const stale = await staleness(document);
    if (stale) {
      console.error(stale);
      process.exitCode = 1;
    } else console.error(`${path.relative(ROOT, TYPES_FILE)} matches the API.`);
  } else {
    fs.writeFileSync(TYPES_FILE, await apiTypes(document));
    console.error(`Wrote ${path.relative(ROOT, TYPES_FILE)} (${Object.keys(document.paths).length} paths).`);
  }
} catch (e) {
  console.error(`npm run api:types failed: ${e.message}`);
  process.exitCode = 1;
}
