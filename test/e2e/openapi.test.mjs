// The published API: the OpenAPI document validates as OpenAPI 3.1 with a
// maintained validator, and /api/docs renders it in a browser from this
// origin alone. Here rather than in test/worker: @apidevtools/swagger-parser
// needs Node (its `util`, and ajv compiles validators with `new Function`,
// which workerd refuses), and this checks the document the built worker serves.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { BASE_URL, WAIT, launchBrowser, newPage } from "./helpers.mjs";

test("GET /api/openapi.json is a valid OpenAPI 3.1 document", async () => {
  const res = await fetch(`${BASE_URL}/api/openapi.json`);
  assert.equal(res.status, 200);
  const doc = await res.json();
  assert.match(doc.openapi, /^3\.1\./);
  await SwaggerParser.validate(doc);
  assert.ok(Object.keys(doc.paths).length > 50, "every /api route is in it");
});

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test("/api/docs renders the whole API without leaving this origin", async () => {
  const page = await newPage(browser);
  const elsewhere = [];
  page.on("request", (req) => {
    if (!req.url().startsWith(BASE_URL) && !req.url().startsWith("data:") && !req.url().startsWith("blob:"))
      elsewhere.push(req.url());
  });
  const violations = [];
  page.on("console", (msg) => {
    if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text());
  });
  const res = await page.goto("/api/docs");
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-security-policy"] ?? "", /script-src 'self'/);
  // The sidebar lists each tag's operations; the first tag is open.
  await page.getByText("A customer starts a conversation").first().waitFor({ timeout: WAIT });
  for (const tag of ["conversations", "inboxes", "users", "notifications"])
    await page.getByText(tag, { exact: true }).first().waitFor({ timeout: WAIT });
  assert.deepEqual(elsewhere, [], "requests to other origins");
  assert.deepEqual(violations, [], "CSP violations");
  page.assertNoErrors();
});
