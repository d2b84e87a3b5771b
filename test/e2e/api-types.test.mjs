// The typed client's types (client/api.d.ts) are those of the API this build
// serves: generated here from the served document, in memory, and compared
// with the committed file. When a route changes, run `npm run api:types`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { staleness } from "@switchboard/api-types";
import { BASE_URL } from "./helpers.mjs";

test("client/api.d.ts matches GET /api/openapi.json", async () => {
  const res = await fetch(`${BASE_URL}/api/openapi.json`);
  assert.equal(res.status, 200);
  const stale = await staleness(await res.json());
  assert.equal(stale, null, stale ?? undefined);
});
