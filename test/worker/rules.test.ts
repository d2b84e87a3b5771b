import { describe, expect, it } from "vitest";
import {
  addUser,
  call,
  createInbox,
  expectStatus,
  grant,
  json,
  setUpWorkspace,
  type Person,
  expectError,
} from "./helpers";

async function teamInbox(memberCount: number) {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin, "Support");
  const members: Person[] = [];
  for (let i = 0; i < memberCount; i++) {
    const m = await addUser(admin, "agent", `Member${i} Agent`);
    await grant(admin, inbox.id, m, "reply");
    members.push(m);
  }
  const team = await json(
    admin.as,
    "/api/teams",
    { body: { name: "Tier 1", memberIds: members.map((m) => m.id) } },
    201,
  );
  return { admin, inbox, members, team };
}

const widgetStart = (widgetKey: string, body: Record<string, unknown>) =>
  json(
    null,
    `/api/widget/${widgetKey}/conversations`,
    { body, headers: { "cf-connecting-ip": `10.0.0.${Math.floor(Math.random() * 250)}` } },
    201,
  );

describe("auto-assignment rules", () => {
  it("applies matching rules on creation: assignee, team, tags and priority, each as an event", async () => {
    const { admin, inbox, members } = await teamInbox(1);
    const bea = members[0]!;
    await json(
      admin.as,
      `/api/inboxes/${inbox.id}/rules`,
      {
        body: {
          name: "German refunds",
          conditions: [
            { field: "contact.language", op: "equals", value: "de" },
            { field: "body", op: "contains", value: "geld" },
          ],
          actions: [
            { type: "assign_agent", userId: bea.id },
            { type: "add_tags", tags: ["refund", "german"] },
            { type: "set_priority", priority: "high" },
          ],
        },
      },
      201,
    );
    const german = await widgetStart(inbox.widgetKey, {
      name: "Jo",
      body: "Ich möchte mein Geld zurück",
      attributes: { language: "de" },
    });
    const english = await widgetStart(inbox.widgetKey, {
      name: "Al",
      body: "Where is my money",
      attributes: { language: "en" },
    });

    const c = await json(admin.as, `/api/conversations/${german.conversationId}`);
    expect(c).toMatchObject({ assignee: { id: bea.id }, priority: "high" });
    expect([...c.tags].sort()).toEqual(["german", "refund"]);
    expect(await json(admin.as, `/api/conversations/${english.conversationId}`)).toMatchObject({
      assignee: null,
      priority: "none",
      tags: [],
    });
    const events = (await json(admin.as, `/api/conversations/${german.conversationId}/timeline`)).items.filter(
      (i: { kind: string }) => i.kind === "event",
    );
    expect(events.map((e) => `${e.author.name}: ${e.event?.type}`)).toEqual([
      "Auto-assignment: assigned",
      "Auto-assignment: priority_changed",
      "Auto-assignment: tag_added",
      "Auto-assignment: tag_added",
    ]);
    // The assignee hears of it.
    expect((await json(bea.as, "/api/notifications")).items[0]).toMatchObject({
      kind: "assigned",
      conversationId: german.conversationId,
    });
  });

  it("rotates evenly through a team even when conversations arrive at once", async () => {
    const { admin, inbox, members, team } = await teamInbox(3);
    await json(
      admin.as,
      `/api/inboxes/${inbox.id}/rules`,
      { body: { name: "Rotate", conditions: [], actions: [{ type: "assign_round_robin", teamId: team.id }] } },
      201,
    );
    const started = await Promise.all(
      Array.from({ length: 9 }, (_, i) => widgetStart(inbox.widgetKey, { name: `C${i}`, body: `question ${i}` })),
    );
    const owners = await Promise.all(
      started.map((s) => json(admin.as, `/api/conversations/${s.conversationId}`).then((c) => c.assignee?.id)),
    );
    const perMember = members.map((m) => owners.filter((o) => o === m.id).length);
    expect(perMember).toEqual([3, 3, 3]);
    expect(
      new Set(
        (await Promise.all(started.map((s) => json(admin.as, `/api/conversations/${s.conversationId}`)))).map(
          (c) => c.teamId,
        ),
      ),
    ).toEqual(new Set([team.id]));
  });

  it("assigns to the least-loaded member who can reply, skipping those who cannot", async () => {
    const { admin, inbox, members, team } = await teamInbox(3);
    const [a, b, c] = members as [Person, Person, Person];
    await grant(admin, inbox.id, c, "note"); // c may not own conversations here
    // a already has two open conversations, b one.
    for (const [who, n] of [
      [a, 2],
      [b, 1],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const s = await widgetStart(inbox.widgetKey, { name: "x", body: "earlier" });
        await json(admin.as, `/api/conversations/${s.conversationId}`, {
          method: "PATCH",
          body: { assigneeId: who.id },
        });
      }
    }
    await json(
      admin.as,
      `/api/inboxes/${inbox.id}/rules`,
      { body: { name: "Balance", conditions: [], actions: [{ type: "assign_least_loaded", teamId: team.id }] } },
      201,
    );
    const s = await widgetStart(inbox.widgetKey, { name: "y", body: "new" });
    expect((await json(admin.as, `/api/conversations/${s.conversationId}`)).assignee?.id).toBe(b.id);
  });

  it("keeps rules in order, validates them, and is for admins only", async () => {
    const { admin, inbox, members } = await teamInbox(1);
    const first = await json(
      admin.as,
      `/api/inboxes/${inbox.id}/rules`,
      { body: { name: "First", conditions: [], actions: [{ type: "set_priority", priority: "low" }] } },
      201,
    );
    const second = await json(
      admin.as,
      `/api/inboxes/${inbox.id}/rules`,
      { body: { name: "Second", conditions: [], actions: [{ type: "set_priority", priority: "urgent" }] } },
      201,
    );
    await json(admin.as, `/api/inboxes/${inbox.id}/rules/${second.id}`, { method: "PATCH", body: { position: 0 } });
    expect(
      (await json(admin.as, `/api/inboxes/${inbox.id}/rules`)).items.map(
        (r: { name: string; position: number }) => `${r.position}:${r.name}`,
      ),
    ).toEqual(["0:Second", "1:First"]);
    const s = await widgetStart(inbox.widgetKey, { name: "z", body: "hi" });
    expect((await json(admin.as, `/api/conversations/${s.conversationId}`)).priority).toBe("urgent");

    const bad = await call(admin.as, `/api/inboxes/${inbox.id}/rules`, {
      body: {
        name: "Bad",
        conditions: [{ field: "body", op: "matches", value: "([" }],
        actions: [{ type: "set_priority", priority: "low" }],
      },
    });
    expect(bad.status).toBe(400);
    // A pattern that could backtrack for ever on a customer's text is refused, with the reason.
    const slow = await expectError(
      call(admin.as, `/api/inboxes/${inbox.id}/rules`, {
        body: {
          name: "Slow",
          conditions: [{ field: "body", op: "matches", value: "(a+)+$" }],
          actions: [{ type: "set_priority", priority: "low" }],
        },
      }),
      400,
      "validation_failed",
    );
    expect(JSON.stringify(slow)).toContain("take forever");
    expect((await call(members[0]!.as, `/api/inboxes/${inbox.id}/rules`)).status).toBe(403);
    await expectStatus(call(admin.as, `/api/inboxes/${inbox.id}/rules/${first.id}`, { method: "DELETE" }), 204);
  });
});
