// @ts-check
// The benchmarks' calls to Switchboard's JSON API, all through the typed
// client (client/) and type-checked (tsconfig.scripts.json): the realtime
// bench's admin (the drafter and replier), viewer agent, chat inbox, API tokens
// and one conversation per scenario; the widget bench's workspace; the list
// bench's pages and reports; the webhooks bench's endpoints. Sockets, file bodies and the
// timed reply POSTs stay raw.

import { apiClient, ok, signIn } from "../../client/index.mjs";

/** @typedef {import("../../client/index.mjs").ApiClient} ApiClient */
/** @typedef {NonNullable<import("../../client/api").operations["getApiConversations"]["parameters"]["query"]>} ListQuery */

/**
 * Creates (or, on a server already set up, logs into) the admin, then adds a
 * viewer agent and an inbox. Returns tokens and ids.
 * @param {string} base
 * @param {{ runId: string, adminEmail: string, adminPassword: string }} o
 */
export async function setupWorkspace(base, { runId, adminEmail, adminPassword }) {
  const admin = apiClient(base);
  const setup = await admin.POST("/api/setup", {
    body: { workspace: "Bench", name: "Bench Admin", email: adminEmail, password: adminPassword },
  });
  if (setup.response.status === 409) {
    try {
      await ok(admin.POST("/api/auth/login", { body: { email: adminEmail, password: adminPassword } }));
    } catch (e) {
      throw new Error(
        `${base} is already set up and the admin login failed (${e.message}). Set BENCH_ADMIN_EMAIL and BENCH_ADMIN_PASSWORD to an admin of that server.`,
      );
    }
  } else await ok(setup);
  const { token: adminToken } = await ok(admin.POST("/api/me/tokens", { body: { name: `bench ${runId}` } }));
  const viewerEmail = `bench-viewer-${runId}@example.com`;
  const viewerPassword = `bench-${runId}-password`;
  const viewer = await ok(
    admin.POST("/api/users", {
      body: { name: `Bench Viewer ${runId}`, email: viewerEmail, password: viewerPassword, role: "agent" },
    }),
  );
  const inbox = await ok(admin.POST("/api/inboxes", { body: { name: `Bench chat ${runId}`, channel: "chat" } }));
  await ok(
    admin.PUT("/api/inboxes/{inboxId}/access/{userId}", {
      params: { path: { inboxId: inbox.id, userId: viewer.id } },
      body: { access: "view" },
    }),
  );
  const viewerClient = await signIn(base, { email: viewerEmail, password: viewerPassword });
  const { token: viewerToken } = await ok(viewerClient.POST("/api/me/tokens", { body: { name: `bench ${runId}` } }));
  return { adminToken, viewerToken, viewerId: viewer.id, inboxId: inbox.id };
}

/**
 * A new conversation in the inbox, started by the admin; returns its id.
 * @param {string} base
 * @param {{ adminToken: string, inboxId: string }} o
 * @param {string} label
 */
export async function newConversation(base, { adminToken, inboxId }, label) {
  const api = apiClient(base, { bearer: adminToken });
  const conversation = await ok(
    api.POST("/api/conversations", {
      body: {
        inboxId,
        contact: { name: `Bench contact (${label})` },
        subject: `Benchmark: ${label}`,
        body: `Conversation for the ${label} benchmark.`,
      },
    }),
  );
  return conversation.id;
}

/**
 * A new workspace with one chat inbox (for its widget key), on a server not yet set up.
 * @param {string} base
 * @param {{ workspace: string, name: string, email: string, password: string }} admin
 */
export async function chatInbox(base, admin) {
  const api = apiClient(base);
  await ok(api.POST("/api/setup", { body: admin }));
  return ok(api.POST("/api/inboxes", { body: { name: "Website chat", channel: "chat" } }));
}

/**
 * One page of a conversation list view.
 * @param {ApiClient} api
 * @param {ListQuery} query
 */
export const listConversations = (api, query) => ok(api.GET("/api/conversations", { params: { query } }));

/** @typedef {NonNullable<import("../../client/api").operations["getApiReports"]["parameters"]["query"]>} ReportQuery */

/**
 * A report over rollups (GET /api/reports).
 * @param {ApiClient} api
 * @param {ReportQuery} query
 */
export const getReport = (api, query) => ok(api.GET("/api/reports", { params: { query } }));

/** @typedef {NonNullable<import("../../client/api").operations["postApiWebhooks"]["requestBody"]>["content"]["application/json"]} WebhookInput */

/**
 * A webhook endpoint of the admin's workspace; returns it (with its secret).
 * @param {ApiClient} api
 * @param {WebhookInput} body
 */
export const createWebhook = (api, body) => ok(api.POST("/api/webhooks", { body }));

/**
 * Turns an endpoint on or off.
 * @param {ApiClient} api
 * @param {string} id
 * @param {boolean} enabled
 */
export const setWebhookEnabled = (api, id, enabled) =>
  ok(api.PATCH("/api/webhooks/{id}", { params: { path: { id } }, body: { enabled } }));
