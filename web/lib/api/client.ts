/**
 * The core of the agent client's HTTP API client: one `request()` that sends
 * JSON, turns error bodies into `ApiError` and parses every answer with the
 * shared contract (`worker/contract`), so a drift between worker and client
 * fails loudly here instead of rendering half-broken screens.
 */
import { z } from "zod";
import { CollisionDetails, type Item } from "../../../worker/contract";

/** An API failure, carrying the `{"error":{code,message,details}}` body when there was one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A request body as the contract accepts it (defaults still optional). */
export type In<S extends z.ZodType> = z.input<S>;

let onUnauthenticated: (() => void) | null = null;

/** Called when a request made with a session gets a 401: the session has expired. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/** Something other than a request learnt that the session is over (a socket closed with 4401). */
export function sessionEnded(): void {
  onUnauthenticated?.();
}

type Options = { body?: unknown; headers?: Record<string, string>; quiet401?: boolean };

export async function request<S extends z.ZodType>(
  method: string,
  path: string,
  schema: S | null,
  opts: Options = {},
): Promise<z.output<S>> {
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, "network", "Can't reach Switchboard. Check your connection and try again.");
  }
  const text = await res.text();
  const json = parseJson(text);
  if (!res.ok) {
    const error = errorFrom(res.status, json);
    if (res.status === 401 && !opts.quiet401) onUnauthenticated?.();
    throw error;
  }
  if (schema === null) return undefined as z.output<S>;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.error(`Contract mismatch on ${method} ${path}`, parsed.error.issues, json);
    throw new ApiError(
      res.status,
      "contract_mismatch",
      `Unexpected response from ${method} ${path.split("?")[0]}: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, json: unknown): ApiError {
  const error = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (error && typeof error.code === "string") {
    const message = typeof error.message === "string" && error.message ? error.message : fallbackMessage(status);
    return new ApiError(status, error.code, message, error.details);
  }
  return new ApiError(status, `http_${status}`, fallbackMessage(status));
}

function fallbackMessage(status: number): string {
  if (status === 401) return "Please sign in again.";
  if (status === 403) return "You don't have permission to do that.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  if (status >= 500) return `Something went wrong on the server (${status}). Try again in a moment.`;
  return `The request failed (${status}).`;
}

export type Issue = { path: string[]; message: string };

/** The issues of a `validation_failed` error (none for any other error), each with its whole path. */
export const validationIssues = (error: unknown): Issue[] =>
  error instanceof ApiError && error.code === "validation_failed" ? issueList(error) : [];

/** The issues in a `validation_failed` error's details (a list, or `{ issues }`). */
function issueList(error: ApiError): Issue[] {
  const details = error.details as { issues?: unknown } | unknown[] | undefined;
  const list = Array.isArray(details) ? details : ((details as { issues?: unknown })?.issues ?? []);
  return (Array.isArray(list) ? list : []).flatMap((issue) => {
    const i = issue as { path?: unknown; message?: unknown };
    if (typeof i?.message !== "string") return [];
    return [{ path: Array.isArray(i.path) ? i.path.map(String) : [], message: i.message }];
  });
}

/** The field issues of a `validation_failed` error, flattened to readable lines. */
export function issueLines(error: ApiError): string[] {
  return issueList(error).map(issueLine);
}

function issueLine({ path, message }: Issue): string {
  const field = humanField(path);
  return field ? `${field}: ${message}` : message;
}

/**
 * The field issues of a `validation_failed` error, by field name under `prefix` (`["widget"]` gives
 * `{ color: […] }` for the path `["widget","color"]`); issues elsewhere go to `other` as readable lines.
 */
export function fieldIssues(
  error: unknown,
  prefix: string[] = [],
): { fields: Record<string, string[]>; other: string[] } {
  const found: { fields: Record<string, string[]>; other: string[] } = { fields: {}, other: [] };
  if (!(error instanceof ApiError) || error.code !== "validation_failed") return found;
  for (const issue of issueList(error)) {
    const { path, message } = issue;
    const field = prefix.every((p, i) => path[i] === p) ? path[prefix.length] : undefined;
    if (field !== undefined && path.length === prefix.length + 1) {
      found.fields[field] = [...(found.fields[field] ?? []), message.charAt(0).toUpperCase() + message.slice(1)];
    } else found.other.push(issueLine(issue));
  }
  return found;
}

/** `["contact","email"]` → "Contact email", `["assigneeId"]` → "Assignee". */
function humanField(path: string[]): string {
  const words = path
    .filter((p) => !/^\d+$/.test(p))
    .join(" ")
    .replace(/Id\b/g, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : "";
}

/** The newer items of a 409 `collision`, or null for any other error. */
export function collisionItems(error: unknown): Item[] | null {
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== "collision") return null;
  const parsed = CollisionDetails.safeParse(error.details);
  return parsed.success ? parsed.data.newer : [];
}

/** A random key for `Idempotency-Key`; falls back where randomUUID needs a secure context. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `?a=1&b=2` from the defined, non-empty params ("" when none). */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A path segment, escaped. */
export const enc = encodeURIComponent;
