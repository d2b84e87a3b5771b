// Sets up what the benchmark needs through Switchboard's HTTP API: an admin
// (the drafter and replier), a viewer agent, a chat inbox, API tokens and
// one conversation per scenario.

const TIMEOUT_MS = 15_000;

/** A JSON client for one base URL, with a cookie (session) or a bearer token. */
export function client(base, { token } = {}) {
  let cookie = null;
  async function request(method, path, body, { expect } = {}) {
    const headers = { Origin: base };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (cookie) headers.Cookie = cookie;
    const res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const setCookie = res.headers.getSetCookie?.() ?? [];
    for (const c of setCookie) if (c.startsWith("sb_session=")) cookie = c.split(";")[0];
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    const ok = expect ? [].concat(expect).includes(res.status) : res.ok;
    if (!ok) {
      const err = new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return { status: res.status, json };
  }
  return {
    request,
    get: (p) => request("GET", p).then((r) => r.json),
    post: (p, b, o) => request("POST", p, b, o).then((r) => r.json),
    put: (p, b) => request("PUT", p, b).then((r) => r.json),
  };
}

/**
 * Creates (or, on a server already set up, logs into) the admin, then adds a
 * viewer agent and an inbox. Returns tokens and ids.
 */
export async function setupWorkspace(base, { runId, adminEmail, adminPassword }) {
  const admin = client(base);
  const setup = await admin.request(
    "POST",
    "/api/setup",
    { workspace: "Bench", name: "Bench Admin", email: adminEmail, password: adminPassword },
    { expect: [201, 409] },
  );
  if (setup.status === 409) {
    try {
      await admin.post("/api/auth/login", { email: adminEmail, password: adminPassword });
    } catch (e) {
      throw new Error(
        `${base} is already set up and the admin login failed (${e.message}). Set BENCH_ADMIN_EMAIL and BENCH_ADMIN_PASSWORD to an admin of that server.`,
      );
    }
  }
  const adminToken = (await admin.post("/api/me/tokens", { name: `bench ${runId}` })).token;
  const viewerEmail = `bench-viewer-${runId}@example.com`;
  const viewerPassword = `bench-${runId}-password`;
  const viewer = await admin.post("/api/users", {
    name: `Bench Viewer ${runId}`,
    email: viewerEmail,
    password: viewerPassword,
    role: "agent",
  });
  const inbox = await admin.post("/api/inboxes", { name: `Bench chat ${runId}`, channel: "chat" });
  await admin.put(`/api/inboxes/${inbox.id}/access/${viewer.id}`, { access: "view" });
  const viewerClient = client(base);
  await viewerClient.post("/api/auth/login", { email: viewerEmail, password: viewerPassword });
  const viewerToken = (await viewerClient.post("/api/me/tokens", { name: `bench ${runId}` })).token;
  return { adminToken, viewerToken, viewerId: viewer.id, inboxId: inbox.id };
}

/** A new conversation in the inbox, started by the admin; returns its id. */
export async function newConversation(base, { adminToken, inboxId }, label) {
  const api = client(base, { token: adminToken });
  const conversation = await api.post("/api/conversations", {
    inboxId,
    contact: { name: `Bench contact (${label})` },
    subject: `Benchmark: ${label}`,
    body: `Conversation for the ${label} benchmark.`,
  });
  return conversation.id;
}
