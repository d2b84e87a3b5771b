/** SPEC §6.1: an admin renames, promotes, demotes, deactivates and reactivates teammates. */
import { describe, expect, it } from "vitest";
import {
  addUser,
  agentWith,
  call,
  createTeam,
  expectError,
  getConversation,
  json,
  note,
  PASSWORD,
  rowCounts,
  signIn,
  startConversation,
  supportTeam,
  timeline,
  type Person,
  updateConversation,
} from "./helpers";

const patchUser = (admin: Person, id: string, body: unknown) =>
  call(admin.as, `/api/users/${id}`, { method: "PATCH", body });

async function withToken(person: Person) {
  const { token } = await json(person.as, "/api/me/tokens", { body: { name: "CI" } }, 201);
  return { bearer: token };
}

describe("PATCH /api/users/:id", () => {
  it("renames and promotes a teammate, and the list says who is active", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    const changed = await json(admin.as, `/api/users/${bea.id}`, {
      method: "PATCH",
      body: { name: "Bea Boss", role: "admin" },
    });
    expect(changed).toEqual({ id: bea.id, name: "Bea Boss", email: bea.email, role: "admin", active: true });
    // The new admin can administer at once, on the session she already had.
    await json(bea.as, "/api/inboxes", { body: { name: "Sales", channel: "chat" } }, 201);
    const { items } = await json(admin.as, "/api/users");
    expect(items.find((u) => u.id === bea.id)).toMatchObject({ role: "admin", active: true });
  });

  it("is for admins only, 404s for an unknown user, and refuses bad input writing nothing", async () => {
    const { admin } = await supportTeam();
    const bea = await addUser(admin);
    await expectError(patchUser(bea, admin.id, { role: "agent" }), 403, "forbidden");
    await expectError(patchUser(admin, "us_nobody", { name: "X" }), 404, "not_found");
    const before = await rowCounts("users", "sessions", "api_tokens");
    for (const body of [{}, { role: "owner" }, { active: "no" }, { name: "" }, { email: "x@y.z" }, []])
      await expectError(patchUser(admin, bea.id, body), 400, "validation_failed");
    expect(await rowCounts("users", "sessions", "api_tokens")).toEqual(before);
    expect((await json(admin.as, "/api/users")).items.find((u) => u.id === bea.id)).toMatchObject({
      name: "Bea Agent",
      role: "agent",
      active: true,
    });
  });

  it("deactivating ends the user's sessions and tokens at once; their history stays; reactivating lets them sign in again", async () => {
    const { admin, inbox } = await supportTeam();
    const bea = await agentWith(admin, inbox.id, "reply", "Bea Agent");
    const token = await withToken(bea);
    const conversation = await startConversation(inbox.widgetKey);
    expect((await note(bea.as, conversation.id, "Looking into it")).status).toBe(201);

    const off = await json(admin.as, `/api/users/${bea.id}`, { method: "PATCH", body: { active: false } });
    expect(off.active).toBe(false);
    await expectError(call(bea.as, "/api/me"), 401, "unauthenticated");
    await expectError(call(token, "/api/conversations"), 401, "unauthenticated");
    await expectError(call(bea.as, "/api/live", { headers: { Upgrade: "websocket" } }), 401, "unauthenticated");
    await expectError(
      call(null, "/api/auth/login", { body: { email: bea.email, password: PASSWORD } }),
      401,
      "unauthenticated",
    );
    // Their note is still theirs, by name; the list shows them inactive; pickers leave them out.
    const { items } = await timeline(admin.as, conversation.id);
    expect(items.find((i) => i.kind === "note")?.author).toMatchObject({ id: bea.id, name: "Bea Agent" });
    expect((await json(admin.as, "/api/users")).items.find((u) => u.id === bea.id)?.active).toBe(false);
    const pickable = await json(admin.as, `/api/users?inboxId=${inbox.id}&access=reply`);
    expect(pickable.items.map((u) => u.id)).not.toContain(bea.id);

    await json(admin.as, `/api/users/${bea.id}`, { method: "PATCH", body: { active: true } });
    const again = await signIn(bea.email);
    expect((await json(again, "/api/me")).user.id).toBe(bea.id);
    // The old token was ended, not merely paused.
    await expectError(call(token, "/api/me"), 401, "unauthenticated");
  });

  it("never leaves the workspace without an active admin (409 conflict, nothing changed)", async () => {
    const { admin } = await supportTeam();
    await expectError(patchUser(admin, admin.id, { role: "agent" }), 409, "conflict");
    await expectError(patchUser(admin, admin.id, { active: false }), 409, "conflict");
    expect((await json(admin.as, "/api/me")).user.role).toBe("admin");

    const second = await addUser(admin, "admin", "Sid Second");
    await json(second.as, `/api/users/${admin.id}`, { method: "PATCH", body: { role: "agent" } });
    // Now Sid is the last active admin: neither he nor anyone can remove that.
    await expectError(patchUser(second, second.id, { active: false }), 409, "conflict");
    await expectError(patchUser(second, second.id, { role: "agent" }), 409, "conflict");
    // A deactivated admin does not count.
    await json(second.as, `/api/users/${admin.id}`, { method: "PATCH", body: { role: "admin", active: false } });
    await expectError(patchUser(second, second.id, { role: "agent" }), 409, "conflict");
    // Renaming the last admin is fine.
    expect((await json(second.as, `/api/users/${second.id}`, { method: "PATCH", body: { name: "Sid" } })).name).toBe(
      "Sid",
    );
  });

  it("two admins demoting each other at once leave one admin standing", async () => {
    const { admin } = await supportTeam();
    const second = await addUser(admin, "admin", "Sid Second");
    const [a, b] = await Promise.all([
      patchUser(admin, second.id, { role: "agent" }),
      patchUser(second, admin.id, { role: "agent" }),
    ]);
    const statuses = [a.status, b.status].sort();
    // Either the second call was refused (409), or it ran after the first demoted its caller (403).
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const { items } = await json(admin.as, "/api/users");
    expect(items.filter((u) => u.role === "admin" && u.active)).toHaveLength(1);
  });

  it("two admins changing different fields at once both land", async () => {
    const { admin } = await supportTeam();
    const second = await addUser(admin, "admin", "Sid Second");
    const bea = await addUser(admin);
    await Promise.all([
      json(admin.as, `/api/users/${bea.id}`, { method: "PATCH", body: { name: "Bea Renamed" } }),
      json(second.as, `/api/users/${bea.id}`, { method: "PATCH", body: { role: "admin" } }),
    ]);
    expect((await json(admin.as, "/api/users")).items.find((u) => u.id === bea.id)).toMatchObject({
      name: "Bea Renamed",
      role: "admin",
      active: true,
    });
  });

  it("a deactivated agent leaves round-robin", async () => {
    const { admin, inbox } = await supportTeam();
    const [ann, ben] = await Promise.all([
      agentWith(admin, inbox.id, "reply", "Ann Able"),
      agentWith(admin, inbox.id, "reply", "Ben Busy"),
    ]);
    const team = await createTeam(admin, "Front line", [ann, ben]);
    await json(
      admin.as,
      `/api/inboxes/${inbox.id}/rules`,
      { body: { name: "Rotate", conditions: [], actions: [{ type: "assign_round_robin", teamId: team.id }] } },
      201,
    );
    await json(admin.as, `/api/users/${ben.id}`, { method: "PATCH", body: { active: false } });
    const owners: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      const started = await startConversation(inbox.widgetKey, `question ${i}`);
      owners.push((await getConversation(admin.as, started.id)).assignee?.id);
    }
    expect(owners).toEqual([ann.id, ann.id, ann.id, ann.id]);
  });

  it("a deactivated agent cannot be assigned by hand either", async () => {
    const { admin, inbox } = await supportTeam();
    const ben = await agentWith(admin, inbox.id, "reply", "Ben Gone");
    await json(admin.as, `/api/users/${ben.id}`, { method: "PATCH", body: { active: false } });
    const conversation = await startConversation(inbox.widgetKey);
    const error = await expectError(
      updateConversation(admin.as, conversation.id, { assigneeId: ben.id }),
      400,
      "validation_failed",
    );
    expect(error.details).toEqual([expect.objectContaining({ path: ["assigneeId"] })]);
    expect((await getConversation(admin.as, conversation.id)).assignee).toBeNull();
  });
});
