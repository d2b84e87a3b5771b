/**
 * Checks an answer against the OpenAPI document the worker serves: its status
 * is one the document names for the operation, and its JSON body fits that
 * response's schema (errors included: a code the document does not list for
 * that status fails). So a drift between the code and the document fails the
 * test that sees it. @cfworker/json-schema validates without generating code,
 * which workerd refuses.
 */
import { Validator } from "@cfworker/json-schema";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

type Schema = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> };
type Document = { paths: Record<string, Record<string, Operation>>; components?: Schema };

let document: Promise<Document> | undefined;
const load = () =>
  (document ??= exports.default
    .fetch(new Request("http://switchboard.test/api/openapi.json"))
    .then((res) => res.json() as Promise<Document>));

/** The operation a request is for; literal segments win over parameters (`/api/me/tokens` over `/api/me/{id}`). */
function operationOf(doc: Document, method: string, path: string): [string, Operation] | undefined {
  const segments = path.split("?")[0]!.split("/");
  let best: [string, Operation] | undefined;
  let bestScore = -1;
  for (const [template, item] of Object.entries(doc.paths)) {
    const parts = template.split("/");
    const operation = item[method.toLowerCase()];
    if (!operation || parts.length !== segments.length) continue;
    const literal = parts.map((part, i) => (part.startsWith("{") ? 0 : part === segments[i] ? 1 : -1));
    if (literal.includes(-1)) continue;
    const score = literal.reduce<number>((a, b) => a + b, 0);
    if (score > bestScore) [best, bestScore] = [[template, operation], score];
  }
  return best;
}

const validators = new WeakMap<Schema, Validator>();

/** Fails when `status` (and `body`) of `method path` is not what the OpenAPI document says. */
export async function conformsToDocument(method: string, path: string, status: number, body: unknown) {
  if (!path.startsWith("/api/")) return;
  const doc = await load();
  const found = operationOf(doc, method, path);
  // Requests to no route at all (the tests of the catch-all 404) have no operation to hold to.
  if (!found) return;
  const [template, operation] = found;
  const what = `${method} ${template} → ${status}`;
  const response = operation.responses[String(status)];
  if (!response) expect.fail(`${what} is not in the OpenAPI document (worker/openapi/operations.ts)`);
  const schema = response.content?.["application/json"]?.schema;
  if (!schema || body === null) return;
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator({ ...schema, components: doc.components }, "2020-12", false);
    validators.set(schema, validator);
  }
  const result = validator.validate(body);
  if (!result.valid)
    expect.fail(
      `${what} does not fit the OpenAPI document: ${result.errors
        .slice(0, 6)
        .map((e) => `${e.instanceLocation} ${e.error}`)
        .join("; ")}\n${JSON.stringify(body)}`,
    );
}
