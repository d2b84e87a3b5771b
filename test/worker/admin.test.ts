import { describe, expect, it } from "vitest";
import { DEFAULT_WIDGET, NO_SLA } from "../../worker/contract";
import {
  addUser,
  agentWith,
  call,
  countRows,
  createInbox,
  expectError,
  expectStatus,
  getConversation,
  grant,
  json,
  PASSWORD,
  setUpWorkspace,
  signIn,
  startConversation,
  supportTeam,
} from "./helpers";

const newUser = (email: string, role = "agent") => ({ name: "Dan Dev", email, password: PASSWORD, role });

describe("team members", () => {
  it("lets an admin add agents and admins, who can then sign in", async () => {
    const { admin } = await setUpWorkspace();
    const dan = await json(admin.as, "/api/users", { body: newUser("dan@acme.test") }, 201);
    expect(dan).toEqual({
      id: expect.any(String),
      name: "Dan Dev",
      email: "dan@acme.test",
      role: "agent",
      active: true,
    });
    const eve = await json(
      admin.as,
      "/api/users",
      { body: { ...newUser("Eve@Acme.test", "admin"), name: "Eve Ops" } },
      201,
    );
    expect(eve).toMatchObject({ email: "eve@acme.test", role: "admin" });

    const { items } = await json(admin.as, "/api/users");
    expect(items).toEqual([
      { id: admin.id, name: "Ada Admin", email: admin.email, role: "admin", active: true },
      dan,
      { id: eve.id, name: "Eve Ops", email: "eve@acme.test", role: "admin", active: true },
    ]);
    expect(JSON.stringify(items)).not.toMatch(/password|hash/i);

    const session = await signIn("eve@acme.test");
    expect((await json(session, "/api/me")).user.role).toBe("admin");
  });

  it("lets agents list the team but not add to it", async () => {
    const { admin } = await setUpWorkspace();
    const agent = await addUser(admin);
    const { items } = await json(agent.as, "/api/users");
    expect(items.map((u) => u.id).sort()).toEqual([admin.id, agent.id].sort());

    const before = await countRows("users");
    await expectError(call(agent.as, "/api/users", { body: newUser("dan@acme.test") }), 403, "forbidden");
    await expectError(call(agent.as, "/api/users", { body: newUser("dan@acme.test", "admin") }), 403, "forbidden");
    expect(await countRows("users")).toBe(before);
  });

  it("refuses a second user with the same email, whatever its case, with 409 conflict", async () => {
    const { admin } = await setUpWorkspace();
    await json(admin.as, "/api/users", { body: newUser("dan@acme.test") }, 201);
    const before = await countRows("users");
    const error = await expectError(call(admin.as, "/api/users", { body: newUser("DAN@acme.test") }), 409, "conflict");
    expect(JSON.stringify(error.details)).toContain("email");
    await expectError(call(admin.as, "/api/users", { body: newUser(admin.email) }), 409, "conflict");
    expect(await countRows("users")).toBe(before);
  });
});

describe("inboxes", () => {
  it("creates chat and email inboxes, each with its own widget key; email ones auto-resolve after 7 days", async () => {
    const { admin } = await setUpWorkspace();
    const chat = await json(admin.as, "/api/inboxes", { body: { name: "Website chat", channel: "chat" } }, 201);
    expect(chat).toEqual({
      id: expect.any(String),
      name: "Website chat",
      channel: "chat",
      widgetKey: expect.any(String),
      emailAddress: null,
      autoResolveDays: null,
      widget: DEFAULT_WIDGET,
      // Every hour counts, and no SLA targets, until an admin sets them.
      businessHours: null,
      sla: NO_SLA,
      createdAt: expect.any(String),
    });
    expect(new Date(chat.createdAt).toISOString()).toBe(chat.createdAt);

    const email = await json(
      admin.as,
      "/api/inboxes",
      { body: { name: "Help desk", channel: "email", emailAddress: "help@acme.test" } },
      201,
    );
    expect(email).toMatchObject({ channel: "email", emailAddress: "help@acme.test", autoResolveDays: 7 });
    const custom = await json(
      admin.as,
      "/api/inboxes",
      { body: { name: "Billing", channel: "email", autoResolveDays: 3 } },
      201,
    );
    expect(custom.autoResolveDays).toBe(3);
    const never = await json(
      admin.as,
      "/api/inboxes",
      { body: { name: "Legal", channel: "email", autoResolveDays: null } },
      201,
    );
    expect(never.autoResolveDays).toBeNull();

    const keys = [chat, email, custom, never].map((i) => i.widgetKey);
    expect(new Set(keys).size).toBe(4);
    // The identity-verification secret never leaves the server in the inbox payload.
    expect(JSON.stringify([chat, email])).not.toMatch(/secret/i);
    // The widget key works: a customer can write in.
    await startConversation(chat.widgetKey);
  });

  it("refuses a second inbox on the same email address with 409 conflict", async () => {
    const { admin } = await setUpWorkspace();
    await json(
      admin.as,
      "/api/inboxes",
      { body: { name: "Help", channel: "email", emailAddress: "help@acme.test" } },
      201,
    );
    const before = await countRows("inboxes");
    await expectError(
      call(admin.as, "/api/inboxes", { body: { name: "Help 2", channel: "email", emailAddress: "HELP@acme.test" } }),
      409,
      "conflict",
    );
    expect(await countRows("inboxes")).toBe(before);
  });

  it("lets an admin rename an inbox and change its auto-resolve setting", async () => {
    const { admin } = await setUpWorkspace();
    const inbox = await createInbox(admin, "Help", "email");
    const other = await json(
      admin.as,
      "/api/inboxes",
      { body: { name: "Sales", channel: "email", emailAddress: "sales@acme.test" } },
      201,
    );

    const renamed = await json(admin.as, `/api/inboxes/${inbox.id}`, {
      method: "PATCH",
      body: { name: "Help desk", autoResolveDays: 14 },
    });
    expect(renamed).toMatchObject({ id: inbox.id, name: "Help desk", autoResolveDays: 14, widgetKey: inbox.widgetKey });
    const off = await json(admin.as, `/api/inboxes/${inbox.id}`, { method: "PATCH", body: { autoResolveDays: null } });
    expect(off).toMatchObject({ name: "Help desk", autoResolveDays: null });
    const listed = (await json(admin.as, "/api/inboxes")).items.find((i) => i.id === inbox.id);
    expect(listed).toEqual(off);

    await expectError(
      call(admin.as, `/api/inboxes/${inbox.id}`, { method: "PATCH", body: { emailAddress: "sales@acme.test" } }),
      409,
      "conflict",
    );
    // Re-saving an inbox's own address is not a conflict.
    await json(admin.as, `/api/inboxes/${other.id}`, { method: "PATCH", body: { emailAddress: "sales@acme.test" } });
    await expectError(
      call(admin.as, "/api/inboxes/ib_nope", { method: "PATCH", body: { name: "X" } }),
      404,
      "not_found",
    );
  });

  it("keeps inbox management to admins", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await agentWith(admin, inbox.id, "reply");
    const before = await countRows("inboxes");
    await expectError(call(agent.as, "/api/inboxes", { body: { name: "Mine", channel: "chat" } }), 403, "forbidden");
    await expectError(
      call(agent.as, `/api/inboxes/${inbox.id}`, { method: "PATCH", body: { name: "Renamed" } }),
      403,
      "forbidden",
    );
    expect(await countRows("inboxes")).toBe(before);
    expect((await json(admin.as, "/api/inboxes")).items[0]!.name).toBe("Support");
  });

  it("shows agents only the inboxes granted to them, admins all of them", async () => {
    const { admin, inbox: support } = await supportTeam("Support");
    const billing = await createInbox(admin, "Billing");
    await createInbox(admin, "Secret");
    const agent = await agentWith(admin, support.id, "view");
    await grant(admin, billing.id, agent, "reply");
    const outsider = await addUser(admin, "agent", "Olga Outsider");

    expect((await json(agent.as, "/api/inboxes")).items.map((i) => i.name)).toEqual(["Billing", "Support"]);
    expect((await json(outsider.as, "/api/inboxes")).items).toEqual([]);
    expect((await json(admin.as, "/api/inboxes")).items.map((i) => i.name)).toEqual(["Billing", "Secret", "Support"]);
  });
});

describe("inbox access", () => {
  it("grants, changes and revokes an agent's level", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await addUser(admin);
    const { id } = await startConversation(inbox.widgetKey);
    await expectError(call(agent.as, `/api/conversations/${id}`), 404, "not_found");

    for (const access of ["view", "note", "reply"] as const) {
      const set = await json(admin.as, `/api/inboxes/${inbox.id}/access/${agent.id}`, {
        method: "PUT",
        body: { access },
      });
      expect(set).toEqual({ inboxId: inbox.id, userId: agent.id, access });
      expect((await json(agent.as, "/api/me")).inboxes).toEqual([
        { id: inbox.id, name: "Support", channel: "chat", access },
      ]);
    }
    expect(await countRows("inbox_access")).toBe(1);
    await getConversation(agent.as, id);

    const removed = await call(admin.as, `/api/inboxes/${inbox.id}/access/${agent.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    expect(await removed.text()).toBe("");
    expect(await countRows("inbox_access")).toBe(0);
    expect((await json(agent.as, "/api/me")).inboxes).toEqual([]);
    expect((await json(agent.as, "/api/inboxes")).items).toEqual([]);
    await expectError(call(agent.as, `/api/conversations/${id}`), 404, "not_found");
  });

  it("answers 404 for an unknown inbox or user", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await addUser(admin);
    const put = { method: "PUT" as const, body: { access: "reply" } };
    await expectError(call(admin.as, `/api/inboxes/ib_nope/access/${agent.id}`, put), 404, "not_found");
    await expectError(call(admin.as, `/api/inboxes/${inbox.id}/access/us_nope`, put), 404, "not_found");
    await expectError(
      call(admin.as, `/api/inboxes/ib_nope/access/${agent.id}`, { method: "DELETE" }),
      404,
      "not_found",
    );
    await expectError(
      call(admin.as, `/api/inboxes/${inbox.id}/access/us_nope`, { method: "DELETE" }),
      404,
      "not_found",
    );
    expect(await countRows("inbox_access")).toBe(0);
  });

  it("keeps access management to admins", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await agentWith(admin, inbox.id, "reply");
    const colleague = await addUser(admin, "agent", "Carl Colleague");
    await expectError(
      call(agent.as, `/api/inboxes/${inbox.id}/access/${colleague.id}`, { method: "PUT", body: { access: "reply" } }),
      403,
      "forbidden",
    );
    await expectError(
      call(agent.as, `/api/inboxes/${inbox.id}/access/${agent.id}`, { method: "DELETE" }),
      403,
      "forbidden",
    );
    await expectError(
      call(colleague.as, `/api/inboxes/${inbox.id}/access/${colleague.id}`, {
        method: "PUT",
        body: { access: "view" },
      }),
      403,
      "forbidden",
    );
    expect((await json(colleague.as, "/api/me")).inboxes).toEqual([]);
    expect((await json(agent.as, "/api/me")).inboxes[0]!.access).toBe("reply");
  });

  it("refuses an access level off the ladder", async () => {
    const { admin, inbox } = await supportTeam();
    const agent = await addUser(admin);
    for (const access of ["admin", "none", "", null, 3]) {
      await expectError(
        call(admin.as, `/api/inboxes/${inbox.id}/access/${agent.id}`, { method: "PUT", body: { access } }),
        400,
        "validation_failed",
      );
    }
    expect(await countRows("inbox_access")).toBe(0);
    await expectStatus(
      call(admin.as, `/api/inboxes/${inbox.id}/access/${agent.id}`, { method: "PUT", body: { access: "note" } }),
      200,
    );
  });
});
