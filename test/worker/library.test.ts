/** The workspace's library and the agent's own settings: teams, tags, saved replies, notifications, /api/me, pickers. */
import { describe, expect, it } from "vitest";
import {
  addUser,
  agentWith,
  call,
  countRows,
  createInbox,
  createTeam,
  expectError,
  expectStatus,
  getConversation,
  grant,
  json,
  mention,
  pause,
  rowCounts,
  setTags,
  startConversation,
  supportTeam,
  timeline,
  updateConversation,
  type Person,
} from "./helpers";

const names = (items: { name: string }[]) => items.map((i) => i.name);

describe("teams", { timeout: 20_000 }, () => {
  it("creates a team with its members, listed by name, for everyone to see", async () => {
    const { admin, inbox } = await supportTeam();
    const [zoe, amy] = await Promise.all([
      agentWith(admin, inbox.id, "reply", "Zoe Zed"),
      agentWith(admin, inbox.id, "view", "Amy Able"),
    ]);
    const team = await createTeam(admin, "  Billing  ", [zoe, amy, zoe]);
    expect(team).toEqual({
      id: expect.any(String),
      name: "Billing",
      members: [
        { id: amy.id, name: "Amy Able" },
        { id: zoe.id, name: "Zoe Zed" },
      ],
    });
    const empty = await createTeam(admin, "Appeals");
    expect(empty.members).toEqual([]);
    expect((await json(zoe.as, "/api/teams")).items).toEqual([empty, team]);
  });

  it("refuses unknown member ids with a 400 that names them, and creates nothing", async () => {
    const { admin, inbox } = await supportTeam();
    const zoe = await agentWith(admin, inbox.id, "reply", "Zoe Zed");
    const before = await rowCounts("teams", "team_members");
    const error = await expectError(
      call(admin.as, "/api/teams", { body: { name: "Billing", memberIds: [zoe.id, "us_ghost", "us_phantom"] } }),
      400,
      "validation_failed",
    );
    expect(error.details).toEqual([{ path: ["memberIds"], message: expect.stringContaining("us_ghost") }]);
    expect(error.details[0]!.message).toContain("us_phantom");
    expect(error.details[0]!.message).not.toContain(zoe.id);
    expect(await rowCounts("teams", "team_members")).toEqual(before);

    // The same check when a team's members are replaced: nothing changes.
    const team = await createTeam(admin, "Billing", [zoe]);
    const patched = await expectError(
      call(admin.as, `/api/teams/${team.id}`, { method: "PATCH", body: { memberIds: ["us_ghost"] } }),
      400,
      "validation_failed",
    );
    expect(JSON.stringify(patched.details)).toContain("us_ghost");
    expect((await json(admin.as, "/api/teams")).items).toEqual([team]);
  });

  it("refuses a second team with the same name, and a rename onto another team's name, with 409", async () => {
    const { admin } = await supportTeam();
    const billing = await createTeam(admin, "Billing");
    const sales = await createTeam(admin, "Sales");
    const error = await expectError(call(admin.as, "/api/teams", { body: { name: "Billing" } }), 409, "conflict");
    expect(error.details).toEqual([{ path: ["name"], message: expect.any(String) }]);
    await expectError(
      call(admin.as, `/api/teams/${sales.id}`, { method: "PATCH", body: { name: "Billing" } }),
      409,
      "conflict",
    );
    expect(await countRows("teams")).toBe(2);
    // Keeping one's own name is no clash.
    expect(await json(admin.as, `/api/teams/${billing.id}`, { method: "PATCH", body: { name: "Billing" } })).toEqual(
      billing,
    );
  });

  it("renames a team and replaces its members; an unknown team is 404", async () => {
    const { admin, inbox } = await supportTeam();
    const [ana, ben, cat] = await Promise.all([
      agentWith(admin, inbox.id, "reply", "Ana Reply"),
      agentWith(admin, inbox.id, "reply", "Ben Reply"),
      agentWith(admin, inbox.id, "note", "Cat Note"),
    ]);
    const team = await createTeam(admin, "Billing", [ana, ben]);

    const renamed = await json(admin.as, `/api/teams/${team.id}`, { method: "PATCH", body: { name: "Invoices" } });
    expect(renamed).toEqual({ ...team, name: "Invoices" });
    const replaced = await json(admin.as, `/api/teams/${team.id}`, {
      method: "PATCH",
      body: { memberIds: [cat.id, ben.id] },
    });
    expect(replaced).toEqual({
      id: team.id,
      name: "Invoices",
      members: [
        { id: ben.id, name: "Ben Reply" },
        { id: cat.id, name: "Cat Note" },
      ],
    });
    const both = await json(admin.as, `/api/teams/${team.id}`, {
      method: "PATCH",
      body: { name: "Money", memberIds: [] },
    });
    expect(both).toEqual({ id: team.id, name: "Money", members: [] });
    expect((await json(ana.as, "/api/teams")).items).toEqual([both]);
    expect(await countRows("team_members")).toBe(0);

    await expectError(call(admin.as, "/api/teams/tm_nope", { method: "PATCH", body: { name: "X" } }), 404, "not_found");
    await expectError(call(admin.as, "/api/teams/tm_nope", { method: "DELETE" }), 404, "not_found");
    await expectError(call(admin.as, `/api/teams/${team.id}`, { method: "PATCH", body: {} }), 400, "validation_failed");
  });

  it("deletes a team: its conversations keep their history and lose the team", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Reply");
    const team = await createTeam(admin, "Billing", [ana]);
    const { id } = await startConversation(inbox.widgetKey, "Refund please");
    await json(ana.as, `/api/conversations/${id}`, { method: "PATCH", body: { teamId: team.id } });
    expect(await json(ana.as, `/api/conversations?view=all&teamId=${team.id}`)).toMatchObject({
      items: [{ id, teamId: team.id }],
    });
    const history = (await timeline(ana.as, id)).items;

    await expectStatus(call(admin.as, `/api/teams/${team.id}`, { method: "DELETE" }), 204);
    expect((await getConversation(ana.as, id)).teamId).toBeNull();
    expect((await timeline(ana.as, id)).items).toEqual(history);
    expect(history.at(-1)).toMatchObject({
      kind: "event",
      event: { type: "team_assigned", team: { id: team.id, name: "Billing" } },
    });
    expect((await json(ana.as, `/api/conversations?view=all&teamId=${team.id}`)).items).toEqual([]);
    expect((await json(ana.as, "/api/teams")).items).toEqual([]);
    expect(await countRows("team_members")).toBe(0);
    await expectError(call(admin.as, `/api/teams/${team.id}`, { method: "DELETE" }), 404, "not_found");
    // The conversation carries on, and a gone team cannot be assigned.
    await expectError(updateConversation(ana.as, id, { teamId: team.id }), 400, "validation_failed");
    expect(
      (await json(ana.as, `/api/conversations/${id}`, { method: "PATCH", body: { priority: "high" } })).priority,
    ).toBe("high");
  });
});

describe("tags", { timeout: 20_000 }, () => {
  it("are created on first use, whatever the case, keeping the first spelling", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Reply");
    const first = await startConversation(inbox.widgetKey, "first");
    const second = await startConversation(inbox.widgetKey, "second");

    expect((await expectStatus(setTags(ana.as, first.id, ["Billing", "billing", " VIP "]), 200)).tags.sort()).toEqual([
      "Billing",
      "VIP",
    ]);
    expect((await expectStatus(setTags(ana.as, second.id, ["BILLING", "vip", "Refund"]), 200)).tags.sort()).toEqual([
      "Billing",
      "Refund",
      "VIP",
    ]);
    const { items } = await json(ana.as, "/api/tags");
    expect(items).toEqual([
      { id: expect.any(String), name: "Billing", color: expect.stringMatching(/^#[0-9a-f]{6}$/) },
      { id: expect.any(String), name: "Refund", color: expect.stringMatching(/^#[0-9a-f]{6}$/) },
      { id: expect.any(String), name: "VIP", color: expect.stringMatching(/^#[0-9a-f]{6}$/) },
    ]);
    expect(
      (await json(ana.as, "/api/conversations?view=all&tag=bIlLiNg")).items.map((c: { id: string }) => c.id).sort(),
    ).toEqual([first.id, second.id].sort());
  });

  it("renames and recolours a tag; every conversation shows the new name", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Reply");
    const { id } = await startConversation(inbox.widgetKey, "Refund please");
    await expectStatus(setTags(ana.as, id, ["billing"]), 200);
    const tag = (await json(admin.as, "/api/tags")).items[0]!;

    const renamed = await json(admin.as, `/api/tags/${tag.id}`, { method: "PATCH", body: { name: "Invoices" } });
    expect(renamed).toEqual({ id: tag.id, name: "Invoices", color: tag.color });
    expect((await getConversation(ana.as, id)).tags).toEqual(["Invoices"]);
    expect(
      (await json(ana.as, "/api/conversations?view=all&tag=invoices")).items.map((c: { id: string }) => c.id),
    ).toEqual([id]);
    // Only its own case changes: no clash with itself.
    expect(await json(admin.as, `/api/tags/${tag.id}`, { method: "PATCH", body: { name: "INVOICES" } })).toMatchObject({
      name: "INVOICES",
    });
    expect(await json(admin.as, `/api/tags/${tag.id}`, { method: "PATCH", body: { color: "#A1B2C3" } })).toEqual({
      id: tag.id,
      name: "INVOICES",
      color: "#A1B2C3",
    });
    // Using the tag again by any spelling finds it.
    await expectStatus(setTags(ana.as, id, ["invoices", "new"]), 200);
    expect((await json(admin.as, "/api/tags")).items.map((t: { name: string }) => t.name)).toEqual(["INVOICES", "new"]);
    await expectError(
      call(admin.as, "/api/tags/tg_nope", { method: "PATCH", body: { color: "#000000" } }),
      404,
      "not_found",
    );
  });

  it("takes only #rrggbb colours", async () => {
    const { admin, inbox } = await supportTeam();
    const { id } = await startConversation(inbox.widgetKey, "hi");
    await expectStatus(setTags(admin.as, id, ["billing"]), 200);
    const tag = (await json(admin.as, "/api/tags")).items[0]!;
    for (const color of ["red", "#abc", "#12345g", "123456", "#1234567", "", "rgb(1,2,3)"]) {
      const error = await expectError(
        call(admin.as, `/api/tags/${tag.id}`, { method: "PATCH", body: { color } }),
        400,
        "validation_failed",
      );
      expect(JSON.stringify(error.details), color).toContain("color");
    }
    await expectError(call(admin.as, `/api/tags/${tag.id}`, { method: "PATCH", body: {} }), 400, "validation_failed");
    expect((await json(admin.as, "/api/tags")).items).toEqual([tag]);
  });

  it("refuses a rename onto another tag's name, in any case, with 409", async () => {
    const { admin, inbox } = await supportTeam();
    const { id } = await startConversation(inbox.widgetKey, "hi");
    await expectStatus(setTags(admin.as, id, ["Billing", "vip"]), 200);
    const before = (await json(admin.as, "/api/tags")).items;
    const vip = before.find((t: { name: string }) => t.name === "vip")!;
    for (const name of ["Billing", "billing", "BILLING", " billing "]) {
      const error = await expectError(
        call(admin.as, `/api/tags/${vip.id}`, { method: "PATCH", body: { name } }),
        409,
        "conflict",
      );
      expect(error.details, name).toEqual([{ path: ["name"], message: expect.any(String) }]);
    }
    expect((await json(admin.as, "/api/tags")).items).toEqual(before);
  });

  it("deletes a tag: conversations lose it and keep their history", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Reply");
    const { id } = await startConversation(inbox.widgetKey, "hi");
    await expectStatus(setTags(ana.as, id, ["billing", "vip"]), 200);
    const tags = (await json(admin.as, "/api/tags")).items;
    const history = (await timeline(ana.as, id)).items;

    await expectStatus(call(admin.as, `/api/tags/${tags[0]!.id}`, { method: "DELETE" }), 204);
    expect((await getConversation(ana.as, id)).tags).toEqual(["vip"]);
    expect((await timeline(ana.as, id)).items).toEqual(history);
    expect((await json(ana.as, "/api/conversations?view=all&tag=billing")).items).toEqual([]);
    await expectError(call(admin.as, `/api/tags/${tags[0]!.id}`, { method: "DELETE" }), 404, "not_found");
    // The next tag change does not report the deleted tag as removed.
    await expectStatus(setTags(ana.as, id, ["vip", "refund"]), 200);
    const events = (await timeline(ana.as, id, history.at(-1)!.seq)).items.map((i) => i.event);
    expect(events).toEqual([{ type: "tag_added", tag: "refund" }]);
  });
});

describe("saved replies", { timeout: 20_000 }, () => {
  it("lets admins create, list, edit and delete them", async () => {
    const { admin } = await supportTeam();
    const greeting = await json(
      admin.as,
      "/api/saved-replies",
      { body: { name: "Greeting", body: "Hi {{contact.name}}, {{agent.name}} here." } },
      201,
    );
    expect(greeting).toEqual({
      id: expect.any(String),
      name: "Greeting",
      body: "Hi {{contact.name}}, {{agent.name}} here.",
      createdAt: expect.any(String),
      updatedAt: greeting.createdAt,
    });
    const closing = await json(
      admin.as,
      "/api/saved-replies",
      { body: { name: "Closing", body: "Anything else?" } },
      201,
    );
    expect((await json(admin.as, "/api/saved-replies")).items).toEqual([closing, greeting]);

    await pause(5);
    const edited = await json(admin.as, `/api/saved-replies/${greeting.id}`, {
      method: "PATCH",
      body: { body: "Hello {{contact.name}}!" },
    });
    expect(edited).toMatchObject({
      id: greeting.id,
      name: "Greeting",
      body: "Hello {{contact.name}}!",
      createdAt: greeting.createdAt,
    });
    expect(Date.parse(edited.updatedAt)).toBeGreaterThan(Date.parse(greeting.updatedAt));
    expect(
      await json(admin.as, `/api/saved-replies/${greeting.id}`, { method: "PATCH", body: { name: "Welcome" } }),
    ).toMatchObject({
      name: "Welcome",
      body: "Hello {{contact.name}}!",
    });

    await expectStatus(call(admin.as, `/api/saved-replies/${closing.id}`, { method: "DELETE" }), 204);
    expect(names((await json(admin.as, "/api/saved-replies")).items)).toEqual(["Welcome"]);
    await expectError(call(admin.as, `/api/saved-replies/${closing.id}`, { method: "DELETE" }), 404, "not_found");
    await expectError(
      call(admin.as, `/api/saved-replies/${closing.id}`, { method: "PATCH", body: { name: "X" } }),
      404,
      "not_found",
    );
  });

  it("checks their input", async () => {
    const { admin } = await supportTeam();
    for (const body of [
      { name: "", body: "x" },
      { name: "x", body: "   " },
      { name: "x" },
      { name: "x", body: "y", shared: true },
    ]) {
      await expectError(call(admin.as, "/api/saved-replies", { body }), 400, "validation_failed");
    }
    const created = await json(admin.as, "/api/saved-replies", { body: { name: "x", body: "y" } }, 201);
    await expectError(
      call(admin.as, `/api/saved-replies/${created.id}`, { method: "PATCH", body: {} }),
      400,
      "validation_failed",
    );
    expect(await countRows("saved_replies")).toBe(1);
  });

  it("lets agents use them but not write them", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Reply");
    const greeting = await json(admin.as, "/api/saved-replies", { body: { name: "Greeting", body: "Hi" } }, 201);
    expect((await json(ana.as, "/api/saved-replies")).items).toEqual([greeting]);

    await expectError(call(ana.as, "/api/saved-replies", { body: { name: "Mine", body: "x" } }), 403, "forbidden");
    await expectError(
      call(ana.as, `/api/saved-replies/${greeting.id}`, { method: "PATCH", body: { body: "Yo" } }),
      403,
      "forbidden",
    );
    await expectError(call(ana.as, `/api/saved-replies/${greeting.id}`, { method: "DELETE" }), 403, "forbidden");
    expect((await json(admin.as, "/api/saved-replies")).items).toEqual([greeting]);
  });
});

describe("notifications", { timeout: 20_000 }, () => {
  /** Ana mentions Ben in `count` notes, one at a time, so each is newer than the last. */
  async function mentionedTimes(count: number) {
    const { admin, inbox } = await supportTeam();
    const [ana, ben] = await Promise.all([
      agentWith(admin, inbox.id, "reply", "Ana Reply"),
      agentWith(admin, inbox.id, "reply", "Ben Reply"),
    ]);
    const { id } = await startConversation(inbox.widgetKey, "hi");
    for (let i = 1; i <= count; i++) {
      await expectStatus(mention(ana.as, id, [ben], `@Ben Reply note ${i}`), 201);
      await pause(2);
    }
    return { admin, ana, ben, conversationId: id };
  }

  it("pages the newest first, up to `limit`, with the unread count of all", async () => {
    const { ben, ana, conversationId } = await mentionedTimes(5);
    const all = await json(ben.as, "/api/notifications");
    expect(all.unreadCount).toBe(5);
    expect(all.items.map((n: { preview: string }) => n.preview)).toEqual(
      [5, 4, 3, 2, 1].map((i) => `@Ben Reply note ${i}`),
    );
    expect(all.items[0]).toEqual({
      id: expect.any(String),
      kind: "mention",
      conversationId,
      actor: { id: ana.id, name: "Ana Reply" },
      preview: "@Ben Reply note 5",
      createdAt: expect.any(String),
      readAt: null,
    });
    const two = await json(ben.as, "/api/notifications?limit=2");
    expect(two).toEqual({ items: all.items.slice(0, 2), unreadCount: 5 });
    expect((await json(ben.as, "/api/notifications?limit=1")).items).toEqual(all.items.slice(0, 1));
    expect((await json(ben.as, "/api/notifications?limit=100")).items).toEqual(all.items);
    for (const query of ["limit=0", "limit=101", "limit=two", "unread=yes", "page=2"]) {
      await expectError(call(ben.as, `/api/notifications?${query}`), 400, "validation_failed");
    }
  });

  it("filters unread ones; marking read keeps the first read time", async () => {
    const { ben } = await mentionedTimes(4);
    const { items } = await json(ben.as, "/api/notifications");
    expect(await json(ben.as, "/api/notifications/read", { body: { ids: [items[0]!.id, items[2]!.id] } })).toEqual({
      unreadCount: 2,
    });

    const unread = await json(ben.as, "/api/notifications?unread=true");
    expect(unread.unreadCount).toBe(2);
    expect(unread.items.map((n: { id: string }) => n.id)).toEqual([items[1]!.id, items[3]!.id]);
    expect(unread.items.every((n) => n.readAt === null)).toBe(true);
    expect(
      (await json(ben.as, "/api/notifications?unread=true&limit=1")).items.map((n: { id: string }) => n.id),
    ).toEqual([items[1]!.id]);
    const every = (await json(ben.as, "/api/notifications?unread=false")).items;
    expect(every.map((n: { readAt: string | null }) => n.readAt !== null)).toEqual([true, false, true, false]);

    await pause(5);
    expect(await json(ben.as, "/api/notifications/read", { body: { all: true } })).toEqual({ unreadCount: 0 });
    const after = (await json(ben.as, "/api/notifications")).items;
    expect(after[0]!.readAt).toBe(every[0]!.readAt);
    expect(after.every((n: { readAt: string | null }) => n.readAt !== null)).toBe(true);
    expect((await json(ben.as, "/api/notifications?unread=true")).items).toEqual([]);

    for (const body of [{}, { ids: [] }, { all: false }, { ids: [items[0]!.id], all: true }]) {
      await expectError(call(ben.as, "/api/notifications/read", { body }), 400, "validation_failed");
    }
  });

  it("lets no one mark someone else's notifications read", async () => {
    const { ben, ana, admin } = await mentionedTimes(3);
    const bens = (await json(ben.as, "/api/notifications")).items;
    const ids = bens.map((n: { id: string }) => n.id);

    expect(await json(ana.as, "/api/notifications/read", { body: { ids } })).toEqual({ unreadCount: 0 });
    expect(await json(admin.as, "/api/notifications/read", { body: { ids } })).toEqual({ unreadCount: 0 });
    expect(await json(admin.as, "/api/notifications/read", { body: { all: true } })).toEqual({ unreadCount: 0 });
    expect(await json(ben.as, "/api/notifications")).toEqual({ items: bens, unreadCount: 3 });
    // Nor see them.
    expect((await json(ana.as, "/api/notifications")).items).toEqual([]);
    expect((await json(admin.as, "/api/notifications")).items).toEqual([]);
  });
});

describe("PATCH /api/me", { timeout: 20_000 }, () => {
  it("changes one's name, time zone and email notifications, as GET /api/me then shows", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Reply");
    const me = await json(ana.as, "/api/me");
    expect(me.preferences).toMatchObject({ timeZone: "UTC", emailNotifications: false });

    const changed = await json(ana.as, "/api/me", {
      method: "PATCH",
      body: { name: "  Ana Lopez ", timeZone: "Europe/Paris", emailNotifications: true },
    });
    expect(changed).toMatchObject({
      user: { ...me.user, name: "Ana Lopez" },
      preferences: { timeZone: "Europe/Paris", emailNotifications: true },
    });
    expect(await json(ana.as, "/api/me")).toEqual({
      ...me,
      user: { ...me.user, name: "Ana Lopez" },
      preferences: changed.preferences,
    });
    // One field at a time leaves the others be.
    await json(ana.as, "/api/me", { method: "PATCH", body: { emailNotifications: false } });
    expect((await json(ana.as, "/api/me")).preferences).toMatchObject({
      timeZone: "Europe/Paris",
      emailNotifications: false,
    });
    await json(ana.as, "/api/me", { method: "PATCH", body: { timeZone: "America/Argentina/Buenos_Aires" } });
    expect(await json(ana.as, "/api/me")).toMatchObject({
      user: { name: "Ana Lopez" },
      preferences: { timeZone: "America/Argentina/Buenos_Aires" },
    });
    // Colleagues see the new name; admins' own preferences are untouched.
    expect(names((await json(admin.as, "/api/users")).items)).toContain("Ana Lopez");
    expect((await json(admin.as, "/api/me")).preferences).toMatchObject({ timeZone: "UTC", emailNotifications: false });
  });

  it("refuses unknown time zones and anything but its own three fields, changing nothing", async () => {
    const { admin, inbox } = await supportTeam();
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Reply");
    const me = await json(ana.as, "/api/me");
    const zone = await expectError(
      call(ana.as, "/api/me", { method: "PATCH", body: { timeZone: "Mars/Base" } }),
      400,
      "validation_failed",
    );
    expect(zone.details).toEqual([expect.objectContaining({ path: ["timeZone"] })]);
    for (const body of [
      { timeZone: "Mars/Base", name: "Ana B" },
      { timeZone: "" },
      { timeZone: 2 },
      { name: "" },
      { emailNotifications: "yes" },
      { role: "admin" },
      { email: "boss@acme.test" },
      {},
    ]) {
      await expectError(call(ana.as, "/api/me", { method: "PATCH", body }), 400, "validation_failed");
    }
    expect(await json(ana.as, "/api/me")).toEqual(me);
    expect(me.user.role).toBe("agent");
  });
});

describe("GET /api/users for an inbox", { timeout: 20_000 }, () => {
  async function people() {
    const { admin, inbox } = await supportTeam();
    const other = await createInbox(admin, "Sales");
    const boss = await addUser(admin, "admin", "Bo Boss");
    const [rita, ray, nora, vic, olly] = await Promise.all([
      agentWith(admin, inbox.id, "reply", "Rita Reply"),
      agentWith(admin, inbox.id, "reply", "Ray Reply"),
      agentWith(admin, inbox.id, "note", "Nora Note"),
      agentWith(admin, inbox.id, "view", "Vic View"),
      agentWith(admin, inbox.id, "none", "Olly Outsider"),
    ]);
    // Olly replies elsewhere; Vic replies in Sales but only views Support.
    await grant(admin, other.id, olly, "reply");
    await grant(admin, other.id, vic, "reply");
    return { admin, boss, inbox, other, rita, ray, nora, vic, olly };
  }

  const ids = (list: { items: { id: string }[] }) => list.items.map((u) => u.id);
  const sorted = (...who: Person[]) => [...who].sort((a, b) => a.name.localeCompare(b.name)).map((p) => p.id);

  it("lists exactly those who can reply there, admins included (the assignee picker)", async () => {
    const { admin, boss, inbox, other, rita, ray, nora, vic, olly } = await people();
    const repliers = sorted(admin, boss, rita, ray);
    expect(ids(await json(admin.as, `/api/users?inboxId=${inbox.id}&access=reply`))).toEqual(repliers);
    expect(ids(await json(admin.as, `/api/users?inboxId=${inbox.id}&access=note`))).toEqual(
      sorted(admin, boss, rita, ray, nora),
    );
    expect(ids(await json(admin.as, `/api/users?inboxId=${inbox.id}&access=view`))).toEqual(
      sorted(admin, boss, rita, ray, nora, vic),
    );
    expect(ids(await json(admin.as, `/api/users?inboxId=${inbox.id}`))).toEqual(
      sorted(admin, boss, rita, ray, nora, vic),
    );
    expect(ids(await json(admin.as, `/api/users?inboxId=${other.id}&access=reply`))).toEqual(
      sorted(admin, boss, vic, olly),
    );
    expect(ids(await json(admin.as, "/api/users"))).toEqual(sorted(admin, boss, rita, ray, nora, vic, olly));

    // Agents who see the inbox get the same answer, whatever their level; its items are users.
    for (const who of [rita, nora, vic]) {
      expect(await json(who.as, `/api/users?inboxId=${inbox.id}&access=reply`)).toEqual(
        await json(admin.as, `/api/users?inboxId=${inbox.id}&access=reply`),
      );
    }
    expect((await json(vic.as, `/api/users?inboxId=${inbox.id}&access=reply`)).items[0]).toEqual({
      id: expect.any(String),
      name: expect.any(String),
      email: expect.any(String),
      role: expect.stringMatching(/^(admin|agent)$/),
      active: true,
    });

    // Access changes show at once.
    await grant(admin, inbox.id, nora, "reply");
    await call(admin.as, `/api/inboxes/${inbox.id}/access/${rita.id}`, { method: "DELETE" });
    expect(ids(await json(admin.as, `/api/users?inboxId=${inbox.id}&access=reply`))).toEqual(
      sorted(admin, boss, ray, nora),
    );
  });

  it("tells an agent nothing about an inbox they cannot see, nor about one that does not exist", async () => {
    const { admin, inbox, olly } = await people();
    expect(await json(olly.as, `/api/users?inboxId=${inbox.id}&access=reply`)).toEqual({ items: [] });
    expect(await json(olly.as, `/api/users?inboxId=${inbox.id}`)).toEqual({ items: [] });
    expect(await json(olly.as, "/api/users?inboxId=ib_nope&access=reply")).toEqual({ items: [] });
    expect(await json(admin.as, "/api/users?inboxId=ib_nope&access=reply")).toEqual({ items: [] });
    await expectError(call(admin.as, `/api/users?inboxId=${inbox.id}&access=admin`), 400, "validation_failed");
    await expectError(call(admin.as, `/api/users?inboxId=${inbox.id}&role=agent`), 400, "validation_failed");
  });
});

describe("GET /api/inboxes/:id/access", { timeout: 20_000 }, () => {
  it("lists each agent's level on the inbox (admins need no grant), following changes", async () => {
    const { admin, inbox } = await supportTeam();
    const other = await createInbox(admin, "Sales");
    await addUser(admin, "admin", "Bo Boss");
    const [rita, vic, olly] = await Promise.all([
      agentWith(admin, inbox.id, "reply", "Rita Reply"),
      agentWith(admin, inbox.id, "view", "Vic View"),
      agentWith(admin, inbox.id, "none", "Olly Outsider"),
    ]);
    await grant(admin, other.id, olly, "note");
    const access = async (inboxId: string) =>
      ((await json(admin.as, `/api/inboxes/${inboxId}/access`)).items as { userId: string }[]).sort((a, b) =>
        a.userId.localeCompare(b.userId),
      );
    const byUser = (rows: { inboxId: string; userId: string; access: string }[]) =>
      rows.sort((a, b) => a.userId.localeCompare(b.userId));

    expect(await access(inbox.id)).toEqual(
      byUser([
        { inboxId: inbox.id, userId: rita.id, access: "reply" },
        { inboxId: inbox.id, userId: vic.id, access: "view" },
      ]),
    );
    expect(await access(other.id)).toEqual([{ inboxId: other.id, userId: olly.id, access: "note" }]);

    await grant(admin, inbox.id, vic, "note");
    await grant(admin, inbox.id, olly, "view");
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/access/${rita.id}`, { method: "DELETE" }), 204);
    expect(await access(inbox.id)).toEqual(
      byUser([
        { inboxId: inbox.id, userId: vic.id, access: "note" },
        { inboxId: inbox.id, userId: olly.id, access: "view" },
      ]),
    );

    await expectError(call(admin.as, "/api/inboxes/ib_nope/access"), 404, "not_found");
    await expectError(call(vic.as, `/api/inboxes/${inbox.id}/access`), 403, "forbidden");
  });
});
