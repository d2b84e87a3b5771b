/**
 * One definition of the list views: the pure `inView` (which the web client's
 * live list applies to each change) must accept exactly the conversations the
 * server's list query returns, for every view and filter and for viewers with
 * different access. Conversations are put in many states through the API.
 */
import { describe, expect, it } from "vitest";
import type { Summary, View } from "../../worker/contract";
import { inView, type ListFilter } from "../../worker/domain/list-views";
import {
  addUser,
  call,
  createInbox,
  createTeam,
  expectStatus,
  grant,
  json,
  listIds,
  mention,
  type Person,
  setTags,
  setUpWorkspace,
  startConversation,
  updateConversation,
} from "./helpers";

const VIEWS: View[] = ["all", "mine", "unassigned", "mentioned", "following", "snoozed", "resolved", "spam"];
const STATUSES = ["open", "snoozed", "resolved", "spam"] as const;
const PRIORITIES = ["none", "high", "low"] as const;
const TAGS = [[], ["billing"], ["Urgent", "billing"], ["urgent"]];

async function follow(who: Person, id: string) {
  await expectStatus(call(who.as, `/api/conversations/${id}/followers`, { body: { userId: who.id } }), 201);
}

async function unfollow(who: Person, id: string) {
  await expectStatus(call(who.as, `/api/conversations/${id}/followers/${who.id}`, { method: "DELETE" }), 204);
}

describe("list-view membership", () => {
  it("is decided the same by the server's query and by inView, for every view and filter", async () => {
    const { admin } = await setUpWorkspace();
    const support = await createInbox(admin, "Support");
    const billing = await createInbox(admin, "Billing");
    const bea = await addUser(admin, "agent", "Bea Agent");
    const cy = await addUser(admin, "agent", "Cy Viewer");
    await grant(admin, support.id, bea, "reply");
    await grant(admin, billing.id, bea, "reply");
    await grant(admin, support.id, cy, "view");
    const team = await createTeam(admin, "Tier 2", [bea]);
    const assignees = [bea, admin, null];

    // 24 conversations, each in a different mix of status, inbox, assignee,
    // team, priority, tags, following and mentions.
    const ids = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const inbox = i % 2 ? billing : support;
        // Each from its own address: the widget limits starts per visitor.
        const { id } = await startConversation(
          inbox.widgetKey,
          `Question ${i}`,
          { name: `Customer ${i}` },
          { "CF-Connecting-IP": `203.0.113.${i}` },
        );
        const status = STATUSES[i % 4]!;
        const assignee = assignees[i % 3];
        await expectStatus(
          updateConversation(admin.as, id, {
            ...(assignee ? { assigneeId: assignee.id } : {}),
            ...(i % 5 < 2 ? { teamId: team.id } : {}),
            priority: PRIORITIES[i % 3],
          }),
          200,
        );
        const tags = TAGS[i % 4]!;
        if (tags.length) await expectStatus(setTags(admin.as, id, tags), 200);
        // A mention by someone who may reply also makes Bea follow; some then stop following.
        if (i % 6 < 2) await expectStatus(mention(admin.as, id, [bea]), 201);
        if (i % 6 === 1) await unfollow(bea, id);
        if (i % 7 === 3) await follow(bea, id);
        if (inbox === support && i % 4 === 2) await follow(cy, id);
        if (status !== "open") {
          const snoozedUntil = new Date(Date.now() + 86_400_000).toISOString();
          await expectStatus(
            updateConversation(admin.as, id, { status, ...(status === "snoozed" ? { snoozedUntil } : {}) }),
            200,
          );
        }
        return id;
      }),
    );

    const filters: Omit<ListFilter, "view">[] = [
      {},
      { inboxId: support.id },
      { inboxId: billing.id },
      { teamId: team.id },
      { priority: "high" },
      { tag: "billing" },
      { tag: "URGENT" },
      { tag: "no-such-tag" },
      { assigneeId: bea.id },
      { assigneeId: admin.id },
      { tag: "billing", priority: "low", inboxId: support.id },
      { teamId: team.id, assigneeId: bea.id },
    ];

    for (const viewer of [bea, admin, cy]) {
      const visible: Summary[] = [];
      for (const id of ids) {
        const res = await call(viewer.as, `/api/conversations/${id}`);
        if (res.status === 200) visible.push(await res.json());
        else await expectStatus(res, 404);
      }
      const me = {
        id: viewer.id,
        following: new Set(
          visible
            .filter((c) => (c as Summary & { followers: { id: string }[] }).followers.some((f) => f.id === viewer.id))
            .map((c) => c.id),
        ),
        mentionedIn: new Set(
          (await json(viewer.as, "/api/notifications?limit=100")).items
            .filter((n) => n.kind === "mention")
            .map((n) => n.conversationId ?? ""),
        ),
      };
      for (const view of VIEWS) {
        await Promise.all(
          filters.map(async (filter) => {
            const query = { view, ...filter, limit: 100 } as Record<string, string | number>;
            const listed = await listIds(viewer.as, query);
            const expected = visible.filter((c) => inView(c, { view, ...filter }, me)).map((c) => c.id);
            expect(new Set(listed), `${viewer.name}: ${JSON.stringify(query)}`).toEqual(new Set(expected));
          }),
        );
      }
    }

    // The fixture reaches every view: no comparison above was empty on both sides by accident.
    for (const view of VIEWS.filter((v) => v !== "mentioned" && v !== "following")) {
      expect((await listIds(bea.as, { view, limit: 100 })).length, view).toBeGreaterThan(0);
    }
    expect((await listIds(bea.as, { view: "mentioned", limit: 100 })).length).toBeGreaterThan(0);
    expect((await listIds(bea.as, { view: "following", limit: 100 })).length).toBeGreaterThan(0);
  }, 120_000);
});
