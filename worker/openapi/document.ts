/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the running app's
 * route table with hono-openapi: request bodies and query strings from the
 * zod schemas the routes validate with (see lib/validate.ts), responses from
 * the contract's schemas named in operations.ts, errors in the contract's
 * ErrorBody with the codes each operation can answer. Nothing is written by hand.
 */
import type { Hono } from "hono";
import { describeRoute, generateSpecs, type ResponsesWithResolver, resolver, uniqueSymbol } from "hono-openapi";
import { findTargetHandler } from "hono/utils/handler";
import type { OpenAPIV3_1 } from "openapi-types";
import { z } from "zod";
import { ErrorBody, type ErrorCode, ErrorCodes, MAX_BODY_BYTES, WEBHOOK_PAYLOADS } from "../contract";
import { type Auth, OPERATIONS, type Operation } from "./operations";

type Document = OpenAPIV3_1.Document;
type Route = Hono["routes"][number];

/** `/api/inboxes/:inboxId` as OpenAPI writes it: `/api/inboxes/{inboxId}`. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

/** The operations the app answers under /api: every method route but the catch-alls and CORS preflights. */
export function answeredOperations(routes: Route[]): string[] {
  const keys = routes
    .filter((r) => r.path.startsWith("/api/") && !r.path.includes("*") && r.method !== "ALL" && r.method !== "OPTIONS")
    .map((r) => `${r.method} ${openApiPath(r.path)}`);
  return [...new Set(keys)];
}

const SECURITY: Record<Auth, OpenAPIV3_1.SecurityRequirementObject[]> = {
  none: [],
  agent: [{ session: [] }, { apiToken: [] }],
  admin: [{ session: [] }, { apiToken: [] }],
  contact: [{ contactToken: [] }],
  // A signed link (exp and sig in the query) needs no credential.
  file: [{ session: [] }, { apiToken: [] }, { contactToken: [] }, {}],
};

/** The error codes an operation can answer: its own, and those its auth, path and input imply. */
function errorCodes(method: string, path: string, op: Operation, validates: boolean): ErrorCode[] {
  const codes = new Set<ErrorCode>(op.errors);
  const widget = path.startsWith("/api/widget/");
  if (op.auth !== "none") codes.add("unauthenticated");
  // A blocked contact is refused.
  if (op.auth === "contact") codes.add("forbidden");
  if (op.auth === "admin") codes.add("forbidden");
  // A cookie-carrying write from another site is refused (widget routes take no cookies), as is a cross-site socket.
  if ((method !== "GET" && !widget) || (op.socket && op.auth === "agent")) codes.add("forbidden");
  if (path.includes("{")) codes.add("not_found");
  if (validates || op.upload || op.socket) codes.add("validation_failed");
  // Every body is capped: JSON at 64 KiB, files at their own limit.
  if (method !== "GET") codes.add("payload_too_large");
  // Never for bad input; but a failure on our side (D1, a Durable Object) is a 500 in the same shape.
  codes.add("internal");
  return [...codes];
}

/** ErrorBody with `code` narrowed to those a status can carry here: the contract's schema, narrowed. */
const errorBodyOf = (codes: ErrorCode[]) =>
  z.strictObject({
    error: ErrorBody.shape.error.extend({ code: z.enum(codes as [ErrorCode, ...ErrorCode[]]) }),
  });

function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ErrorCodes[code], [...(byStatus.get(ErrorCodes[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: list.map((c) => `\`${c}\``).join(", "),
        content: { "application/json": { schema: resolver(errorBodyOf(list), { options: { io: "output" } }) } },
      },
    ]),
  );
}

function successResponse(op: Operation): ResponsesWithResolver {
  const status = op.status ?? 200;
  if (op.socket) return { 101: { description: "Switching Protocols: a WebSocket of JSON text frames" } };
  if (status === 204) return { 204: { description: "Done; no body" } };
  if (op.media) return { [status]: { description: "OK", content: { [op.media]: {} } }, ...op.also };
  if (!op.body) throw new Error("An operation with a JSON body must name its schema");
  return {
    [status]: {
      description: status === 201 ? "Created" : status === 202 ? "Accepted: it is on its way" : "OK",
      content: { "application/json": { schema: resolver(op.body, { options: { io: "output" } }) } },
    },
    ...op.also,
  };
}

/** The describeRoute middleware for one operation: the parts its validators do not already say. */
function describe(key: string, op: Operation, validates: boolean) {
  const [method, path] = key.split(" ") as [string, string];
  return describeRoute({
    summary: op.summary,
    tags: [path.split("/")[2] ?? "api"],
    security: SECURITY[op.auth],
    parameters: [
      ...(op.query ?? []).map((q) => ({
        in: "query" as const,
        name: q.name,
        description: q.description,
        required: q.required ?? false,
        schema: { type: "string" as const },
      })),
      ...(op.idempotent
        ? [
            {
              in: "header" as const,
              name: "Idempotency-Key",
              required: false,
              description: "A retry with the same key returns the first answer and writes nothing",
              schema: { type: "string" as const },
            },
          ]
        : []),
      ...(op.socket
        ? [
            {
              in: "header" as const,
              name: "Upgrade",
              required: true,
              schema: { type: "string" as const, enum: ["websocket"] },
            },
          ]
        : []),
    ],
    ...(op.upload
      ? {
          requestBody: {
            required: true,
            description: "The file's bytes, as they are; its type in Content-Type",
            content: { "*/*": { schema: { type: "string" as const, contentMediaType: "application/octet-stream" } } },
          },
        }
      : {}),
    responses: { ...successResponse(op), ...errorResponses(errorCodes(method, path, op, validates)) },
  });
}

/** Builds the document for `app` (whose routes are under /api). */
export async function buildDocument(app: { routes: Route[] }): Promise<Document> {
  const answered = answeredOperations(app.routes);
  const missing = answered.filter((key) => !OPERATIONS[key]);
  if (missing.length) throw new Error(`Routes missing from openapi/operations.ts: ${missing.join(", ")}`);
  // Operations with a validator (lib/validate.ts): they can answer validation_failed.
  const validated = new Set(
    app.routes
      .filter((r) => (findTargetHandler(r.handler) as { [uniqueSymbol]?: { target?: string } })[uniqueSymbol]?.target)
      .map((r) => `${r.method} ${openApiPath(r.path)}`),
  );
  const described = Object.entries(OPERATIONS).map(([key, op]) => {
    const [method, path] = key.split(" ") as [string, string];
    return {
      method,
      path: path.replace(/\{([^}]+)\}/g, ":$1"),
      basePath: "/",
      handler: describe(key, op, validated.has(key)),
    };
  });
  const document = await generateSpecs({ routes: [...app.routes, ...described] } as unknown as Hono, {
    documentation: {
      info: {
        title: "Switchboard API",
        version: "1",
        description: `The shared inbox's HTTP API. JSON in and out (bodies up to ${MAX_BODY_BYTES / 1024} KiB; files are uploaded raw); times are ISO-8601 strings; ids are opaque strings. Every error is \`{"error":{"code","message","details"?}}\`.`,
      },
      servers: [{ url: "/" }],
      webhooks: webhookDocs(),
      components: {
        securitySchemes: {
          session: {
            type: "apiKey",
            in: "cookie",
            name: "sb_session",
            description: "The agent's session, set by setup, login or accepting an invitation",
          },
          apiToken: { type: "http", scheme: "bearer", description: "An agent's API token (POST /api/me/tokens)" },
          contactToken: {
            type: "http",
            scheme: "bearer",
            description: "The widget customer's contact token (from starting a conversation)",
          },
        },
      },
    },
    defaultValidationErrorResponse: false,
    excludeStaticFile: false,
  });
  return document as Document;
}

const WEBHOOK_HEADERS = [
  ["webhook-id", "The event's id: the same on every attempt; de-duplicate by it"],
  ["webhook-timestamp", "When this attempt was signed, in seconds since the epoch; refuse old ones"],
  ["webhook-signature", '`v1,` + base64 of HMAC-SHA256(secret, webhook-id + "." + webhook-timestamp + "." + body)'],
] as const;

/**
 * What Switchboard POSTs to webhook endpoints, one entry per event type: the
 * payload's JSON Schema from the contract, and the Standard Webhooks headers.
 */
function webhookDocs(): Record<string, OpenAPIV3_1.PathItemObject> {
  const entries = Object.fromEntries(
    Object.entries(WEBHOOK_PAYLOADS).map(([type, schema]) => [
      type,
      {
        post: {
          summary: type === "webhook.test" ? "A test event (Send test event)" : `A \`${type}\` event`,
          description:
            "Signed per the Standard Webhooks specification with the endpoint's `whsec_` secret. Delivered at least once, retried with back-off for about 27 hours; unordered across conversations, so order and de-duplicate by `data.conversation.seq` and `webhook-id`. Answer with any 2xx within 10 seconds; redirects are not followed.",
          parameters: WEBHOOK_HEADERS.map(([name, description]) => ({
            in: "header" as const,
            name,
            required: true,
            description,
            schema: { type: "string" as const },
          })),
          requestBody: {
            required: true,
            // zod writes JSON Schema 2020-12, which is OpenAPI 3.1's dialect.
            content: { "application/json": { schema: z.toJSONSchema(schema, { io: "output" }) as object } },
          },
          responses: { "2XX": { description: "Received; any other answer, or none within 10 s, is tried again" } },
        },
      },
    ]),
  );
  return entries as Record<string, OpenAPIV3_1.PathItemObject>;
}
