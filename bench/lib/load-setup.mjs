// @ts-check
// The load bench's workspace: an admin, chat inboxes and customers' chats
// through the public API (the typed client), then many agents written straight
// into the local D1 database while no server runs: each with an API token
// (only its SHA-256 is stored, as worker/auth/session.ts does) and grants on a
// few inboxes. Creating a thousand users through the API would hash a thousand
// passwords twice (PBKDF2, 100k rounds, inside the one workerd the run measures).

import crypto from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { d1File, rng } from "./local-d1.mjs";
import { apiClient, ok, signIn } from "../../client/index.mjs";

/**
 * @typedef {{ id: string, widgetKey: string }} LoadInbox
 * @typedef {{ id: string, inboxId: string, contactToken: string, ip: string }} LoadConversation
 * @typedef {{ id: string, token: string, admin: boolean, scope: string[], watchInbox: string }} LoadAgent
 */

/** The admin of a workspace the bench sets up itself. */
export const ADMIN = { email: "load-admin@example.com", password: "load-admin-password" };

/**
 * The admin (with an API token), `inboxCount` chat inboxes and `perInbox`
 * conversations in each, every one started by its own customer through the widget.
 * @param {string} base
 * @param {{ inboxCount: number, perInbox: number, concurrency?: number, adminEmail?: string, adminPassword?: string }} o
 */
export async function setupThroughApi(
  base,
  { inboxCount, perInbox, concurrency = 4, adminEmail = ADMIN.email, adminPassword = ADMIN.password },
) {
  const admin = apiClient(base);
  const setup = await admin.POST("/api/setup", {
    body: { workspace: "Load", name: "Load Admin", email: adminEmail, password: adminPassword },
  });
  // A server already set up (LOAD_URL): its admin's login.
  if (setup.response.status === 409) {
    await ok(admin.POST("/api/auth/login", { body: { email: adminEmail, password: adminPassword } }));
  } else await ok(setup);
  const { token: adminToken } = await ok(admin.POST("/api/me/tokens", { body: { name: "load bench" } }));
  /** @type {LoadInbox[]} */
  const inboxes = [];
  for (let i = 0; i < inboxCount; i++) {
    const inbox = await ok(admin.POST("/api/inboxes", { body: { name: `Chat ${i}`, channel: "chat" } }));
    inboxes.push({ id: inbox.id, widgetKey: inbox.widgetKey });
  }
  /** @type {{ inbox: LoadInbox, k: number }[]} */
  const jobs = [];
  for (let k = 0; k < perInbox; k++) for (const inbox of inboxes) jobs.push({ inbox, k });
  /** @type {LoadConversation[]} */
  const conversations = [];
  for (let i = 0; i < jobs.length; i += concurrency) {
    const batch = jobs.slice(i, i + concurrency);
    conversations.push(
      ...(await Promise.all(
        batch.map(({ inbox }, j) => startChat(base, inbox, `10.${(i + j) >> 8}.${(i + j) & 255}.7`)),
      )),
    );
  }
  return { adminToken, inboxes, conversations };
}

/**
 * One customer's chat, as the widget starts it. Each customer has an address of
 * its own (CF-Connecting-IP), so the widget's per-address limits are each customer's.
 * @param {string} base
 * @param {LoadInbox} inbox
 * @param {string} ip
 * @returns {Promise<LoadConversation>}
 */
async function startChat(base, inbox, ip) {
  const res = await fetch(`${base}/api/widget/${inbox.widgetKey}/conversations`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip },
    body: JSON.stringify({ name: `Customer ${ip}`, email: `c-${ip.replaceAll(".", "-")}@example.com`, body: "Hello!" }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`widget start → HTTP ${res.status}: ${text.slice(0, 300)}`);
  const { conversationId, contactToken } = JSON.parse(text);
  return { id: conversationId, inboxId: inbox.id, contactToken, ip };
}

/**
 * Who the agents are: every `adminEvery`-th one an admin (sees every inbox), the
 * others granted 1–3 inboxes (half 1, a third 2, the rest 3). Each looks at
 * the open view of one inbox it sees.
 * @param {number} count
 * @param {LoadInbox[]} inboxes
 * @param {{ adminEvery?: number, seed?: number }} [o]
 * @returns {Omit<LoadAgent, "token">[]}
 */
export function planAgents(count, inboxes, { adminEvery = 20, seed = 7 } = {}) {
  const rand = rng(seed);
  const ids = inboxes.map((i) => i.id);
  return Array.from({ length: count }, (_, a) => {
    const admin = a % adminEvery === adminEvery - 1;
    const r = rand();
    const n = r < 0.5 ? 1 : r < 0.85 ? 2 : 3;
    const scope = admin ? ids : shuffled(ids, rand).slice(0, n);
    return {
      id: `us_load${String(a).padStart(4, "0")}`,
      admin,
      scope,
      watchInbox: scope[Math.floor(rand() * scope.length)],
    };
  });
}

/**
 * @param {string[]} list
 * @param {() => number} rand
 */
function shuffled(list, rand) {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Writes the planned agents (users, reply grants, API tokens) into the local D1
 * of `stateDir`, in the admin's workspace. The server must be stopped.
 * @param {string} stateDir
 * @param {Omit<LoadAgent, "token">[]} plan
 * @returns {LoadAgent[]}
 */
export function seedAgents(stateDir, plan) {
  const db = new DatabaseSync(d1File(stateDir));
  try {
    const row = /** @type {{ workspace_id: string } | undefined} */ (
      db.prepare("SELECT workspace_id FROM users WHERE email = ?").get(ADMIN.email)
    );
    if (!row) throw new Error("the load admin is not in the database");
    const now = Date.now();
    // Nobody signs in with it: the agents use their tokens.
    const noPassword = "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const user = db.prepare(
      "INSERT INTO users (id, workspace_id, name, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const grant = db.prepare("INSERT INTO inbox_access (inbox_id, user_id, access) VALUES (?, ?, 'reply')");
    const token = db.prepare(
      "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, 'load bench', ?, ?)",
    );
    /** @type {LoadAgent[]} */
    const agents = [];
    db.exec("BEGIN");
    for (const [a, p] of plan.entries()) {
      user.run(
        p.id,
        row.workspace_id,
        `Load Agent ${a}`,
        `load-agent-${a}@example.com`,
        noPassword,
        p.admin ? "admin" : "agent",
        now,
      );
      if (!p.admin) for (const inboxId of p.scope) grant.run(inboxId, p.id);
      const secret = `sbt_${crypto.randomBytes(32).toString("base64url")}`;
      token.run(`tk_load${a}`, p.id, crypto.createHash("sha256").update(secret).digest("hex"), now);
      agents.push({ ...p, token: secret });
    }
    db.exec("COMMIT");
    return agents;
  } finally {
    db.close();
  }
}

/**
 * The planned agents created through the API instead (for a server the bench
 * did not start, LOAD_URL): each a user with a password, its grants, a login
 * and an API token. Slow: the server hashes every password twice.
 * @param {string} base
 * @param {string} adminToken
 * @param {Omit<LoadAgent, "token">[]} plan
 * @param {{ runId: string, concurrency?: number }} o
 * @returns {Promise<LoadAgent[]>}
 */
export async function createAgentsThroughApi(base, adminToken, plan, { runId, concurrency = 4 }) {
  const admin = apiClient(base, { bearer: adminToken });
  /** @type {LoadAgent[]} */
  const agents = [];
  for (let i = 0; i < plan.length; i += concurrency) {
    const batch = plan.slice(i, i + concurrency);
    agents.push(
      ...(await Promise.all(
        batch.map(async (p, k) => {
          const email = `load-${runId}-${i + k}@example.com`;
          const password = `load-${runId}-password`;
          const user = await ok(
            admin.POST("/api/users", {
              body: { name: `Load Agent ${i + k}`, email, password, role: p.admin ? "admin" : "agent" },
            }),
          );
          if (!p.admin) {
            for (const inboxId of p.scope) {
              await ok(
                admin.PUT("/api/inboxes/{inboxId}/access/{userId}", {
                  params: { path: { inboxId, userId: user.id } },
                  body: { access: "reply" },
                }),
              );
            }
          }
          const client = await signIn(base, { email, password });
          const { token } = await ok(client.POST("/api/me/tokens", { body: { name: "load bench" } }));
          return { ...p, id: user.id, token };
        }),
      )),
    );
  }
  return agents;
}

/**
 * The first `limit` rows of a list view, as the agent's client fetches them.
 * @param {string} base
 * @param {string} token
 * @param {string} inboxId
 * @param {number} limit
 * @returns {Promise<string[]>}
 */
export async function firstRows(base, token, inboxId, limit) {
  const api = apiClient(base, { bearer: token });
  const page = await ok(api.GET("/api/conversations", { params: { query: { view: "all", inboxId, limit } } }));
  return page.items.map((c) => c.id);
}
