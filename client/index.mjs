// @ts-check
// A typed client of Switchboard's JSON API for integrators, the seed script and
// the benchmarks: openapi-fetch over the types `npm run api:types` generates
// from the OpenAPI document (client/api.d.ts), so a call that no longer matches
// the API fails `npm run typecheck`.
//
//   const api = apiClient("http://127.0.0.1:8787", { bearer: token }); // or: await signIn(url, { email, password })
//   const { items } = await ok(api.GET("/api/conversations", { params: { query: { view: "mine" } } }));

import createClient from "openapi-fetch";

/** @typedef {import("./api").paths} paths */
/** @typedef {import("openapi-fetch").Client<paths>} ApiClient */

/** Each call gives up after this long: a script never hangs on a stuck server. */
const TIMEOUT_MS = 30_000;

/**
 * A client for one server: with an API or contact token (`bearer`), or with a
 * session cookie, given or taken from the answers' Set-Cookie (a login).
 * @param {string} baseUrl
 * @param {{ bearer?: string, cookie?: string }} [auth]
 * @returns {ApiClient}
 */
export function apiClient(baseUrl, { bearer, cookie } = {}) {
  /** @type {ApiClient} */
  const client = createClient({ baseUrl });
  let session = cookie;
  client.use({
    onRequest({ request }) {
      if (bearer) request.headers.set("authorization", `Bearer ${bearer}`);
      else if (session) request.headers.set("cookie", session);
      // Cookie-authenticated writes must come from the site's own origin.
      if (!bearer && request.method !== "GET") request.headers.set("origin", new URL(baseUrl).origin);
      return new Request(request, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    },
    onResponse({ response }) {
      const cookies = response.headers
        .getSetCookie()
        .map((c) => c.split(";")[0] ?? "")
        .filter((c) => c && !c.endsWith("="));
      if (cookies.length) session = cookies.join("; ");
    },
  });
  return client;
}

/**
 * A client signed in as one user: it keeps the session cookie the login answers with.
 * @param {string} baseUrl
 * @param {{ email: string, password: string }} login
 */
export async function signIn(baseUrl, login) {
  const client = apiClient(baseUrl);
  await ok(client.POST("/api/auth/login", { body: login }));
  return client;
}

/** An answer that is not 2xx: its status and, for the API's error shape, its code. */
export class ApiError extends Error {
  /**
   * @param {Response} response
   * @param {unknown} body
   */
  constructor(response, body) {
    const err = /** @type {{ error?: { code?: string, message?: string, details?: unknown } } | undefined} */ (body)
      ?.error;
    const { pathname } = new URL(response.url);
    const what = err ? ` ${err.code}: ${err.message}${err.details ? ` ${JSON.stringify(err.details)}` : ""}` : "";
    super(`${pathname} → ${response.status}${what || ` ${String(body ?? "").slice(0, 300)}`}`);
    this.status = response.status;
    this.code = err?.code;
    this.body = body;
  }
}

/**
 * The data of a call's 2xx answer; throws an ApiError for any other.
 * @template T
 * @param {{ data?: T, error?: unknown, response: Response } | Promise<{ data?: T, error?: unknown, response: Response }>} call
 * @returns {Promise<T>}
 */
export async function ok(call) {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response, error);
  return /** @type {T} */ (data);
}
