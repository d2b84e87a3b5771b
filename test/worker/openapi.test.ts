import { describe, expect, it } from "vitest";
import { app } from "../../worker/app";
import { answeredOperations } from "../../worker/openapi/document";
import { call } from "./helpers";

type Doc = { openapi: string; paths: Record<string, Record<string, unknown>> };

async function fetchDocument(): Promise<Doc> {
  const res = await call(null, "/api/openapi.json");
  expect(res.status).toBe(200);
  return (await res.json()) as Doc;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];
const documented = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );

describe("the OpenAPI document", () => {
  // Validated as OpenAPI 3.1 by @apidevtools/swagger-parser in test/e2e/openapi.test.mjs: it needs Node
  // (its `util` and ajv's code generation, which workerd refuses), so it checks the document wrangler dev serves.
  it("is served publicly, cacheable by ETag", async () => {
    const res = await call(null, "/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toMatch(/^3\.1\./);
    const tag = res.headers.get("etag");
    expect(tag).toBeTruthy();
    const again = await call(null, "/api/openapi.json", { headers: { "if-none-match": tag! } });
    expect(again.status).toBe(304);
  });

  it("documents every route the app answers, and only those", async () => {
    const doc = await fetchDocument();
    expect(documented(doc).sort()).toEqual(answeredOperations(app.routes).sort());
  });
});
