/**
 * Every list view pages through a sort-aware index: SQLite walks an index in
 * (last_activity_at, id) order and stops at the page size, never scanning and
 * sorting in a temporary B-tree. Checked on the real query with EXPLAIN QUERY PLAN.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ListQuery, type Access } from "../../worker/contract";
import { getDb } from "../../worker/db/client";
import { ContactsQuery } from "../../worker/contract";
import { buildContactsQuery } from "../../worker/db/queries/contact-lists";
import { buildListQuery } from "../../worker/db/queries/conversations";
import type { Actor } from "../../worker/env";
import { addUser, createInbox, grant, json, setUpWorkspace } from "./helpers";

async function planOf(actor: Actor, grants: Map<string, Access>, query: Record<string, unknown>) {
  const built = await buildListQuery(getDb(env.DB), actor, grants, ListQuery.parse(query));
  const { sql, params } = built!.query.toSQL();
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .bind(...params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

/** The step that reads the listed rows, and whether any step sorts. */
function summarize(plan: string[], index: RegExp) {
  return {
    driver: plan.find((d) => index.test(d)) ?? plan.join(" | "),
    sorts: plan.some((d) => d.includes("TEMP B-TREE")),
  };
}

describe("list views read pages by index", () => {
  it("drives every view and filter from an index in activity order, with no sort step", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const other = await createInbox(admin, "Billing");
    const agent = await addUser(admin, "agent", "Ana Agent");
    await grant(admin, inbox.id, agent, "reply");
    await grant(admin, other.id, agent, "view");
    const team = await json(admin.as, "/api/teams", { body: { name: "Tier 2", memberIds: [agent.id] } }, 201);
    await env.DB.prepare(
      "INSERT INTO tags (id, workspace_id, name, color, created_at) VALUES ('tg_1', ?, 'vip', '#2563eb', 0)",
    )
      .bind(workspaceId)
      .run();
    // ANALYZE-free planning: SQLite chooses by the indices' shapes, as D1 does for a new table.

    const asAdmin: Actor = {
      id: admin.id,
      workspaceId,
      name: admin.name,
      email: admin.email,
      role: "admin",
      via: "session",
    };
    const asAgent: Actor = {
      id: agent.id,
      workspaceId,
      name: agent.name,
      email: agent.email,
      role: "agent",
      via: "session",
    };
    const adminGrants = new Map<string, Access>([
      [inbox.id, "reply"],
      [other.id, "reply"],
    ]);
    const agentGrants = new Map<string, Access>([
      [inbox.id, "reply"],
      [other.id, "view"],
    ]);

    const cases: [string, Actor, Map<string, Access>, Record<string, unknown>, RegExp][] = [
      ["all (admin)", asAdmin, adminGrants, { view: "all" }, /conversations_ws_status_activity/],
      // An agent with few inboxes: one walk per inbox, merged in order (list-plan.ts).
      ["all (agent, two inboxes)", asAgent, agentGrants, { view: "all" }, /conversations_inbox_status_activity/],
      [
        "unassigned (agent, two inboxes)",
        asAgent,
        agentGrants,
        { view: "unassigned" },
        /conversations_inbox_unassigned_activity/,
      ],
      ["resolved", asAdmin, adminGrants, { view: "resolved" }, /conversations_ws_status_activity/],
      ["snoozed", asAdmin, adminGrants, { view: "snoozed" }, /conversations_ws_status_activity/],
      ["spam", asAdmin, adminGrants, { view: "spam" }, /conversations_ws_status_activity/],
      ["mine", asAgent, agentGrants, { view: "mine" }, /conversations_assignee_status_activity/],
      ["unassigned", asAdmin, adminGrants, { view: "unassigned" }, /conversations_unassigned_activity/],
      ["one inbox", asAgent, agentGrants, { view: "all", inboxId: inbox.id }, /conversations_inbox_status_activity/],
      [
        "assignee filter",
        asAdmin,
        adminGrants,
        { view: "all", assigneeId: agent.id },
        /conversations_assignee_status_activity/,
      ],
      ["team filter", asAdmin, adminGrants, { view: "all", teamId: team.id }, /conversations_team_status_activity/],
      [
        "priority filter",
        asAdmin,
        adminGrants,
        { view: "all", priority: "urgent" },
        /conversations_priority_status_activity/,
      ],
      ["tag filter", asAdmin, adminGrants, { view: "all", tag: "vip" }, /conversation_tags_tag_status_activity/],
      ["following", asAgent, agentGrants, { view: "following" }, /followers_user_activity/],
      ["mentioned", asAgent, agentGrants, { view: "mentioned" }, /mentions_user_activity/],
      [
        "a later page",
        asAdmin,
        adminGrants,
        { view: "all", cursor: "WzE3MDAwMDAwMDAwMDAsImN2X3oiXQ" },
        /conversations_ws_status_activity/,
      ],
      // Scans (a condition the index does not answer) walk the same indexes, a budget at most.
      ["following + tag (agent)", asAgent, agentGrants, { view: "following", tag: "vip" }, /followers_user_activity/],
      [
        "inbox + team",
        asAdmin,
        adminGrants,
        { view: "all", inboxId: inbox.id, teamId: team.id },
        /conversations_inbox_status_activity/,
      ],
      [
        "tag filter (agent)",
        asAgent,
        agentGrants,
        { view: "all", tag: "vip" },
        /conversation_tags_tag_status_activity/,
      ],
      // Breaching walks the running clocks only (partial indexes), due first.
      ["breaching (admin)", asAdmin, adminGrants, { view: "breaching" }, /conversations_ws_sla_due/],
      ["breaching (agent)", asAgent, agentGrants, { view: "breaching" }, /conversations_inbox_sla_due/],
      [
        "breaching, one inbox",
        asAgent,
        agentGrants,
        { view: "breaching", inboxId: inbox.id },
        /conversations_inbox_sla_due/,
      ],
      ["breaching + team", asAdmin, adminGrants, { view: "breaching", teamId: team.id }, /conversations_ws_sla_due/],
      ["breaching + tag", asAdmin, adminGrants, { view: "breaching", tag: "vip" }, /conversations_ws_sla_due/],
      [
        "breaching, a later page",
        asAdmin,
        adminGrants,
        { view: "breaching", cursor: "WzE3MDAwMDAwMDAwMDAsImN2X3oiXQ" },
        /conversations_ws_sla_due/,
      ],
    ];
    for (const [name, actor, grants, query, index] of cases) {
      const plan = await planOf(actor, grants, query);
      const { driver, sorts } = summarize(plan, index);
      expect({ name, driver, sorts }, plan.join("\n")).toMatchObject({
        name,
        driver: expect.stringMatching(index),
        sorts: false,
      });
    }
  });
});

describe("the contacts list reads pages by index", () => {
  it("walks contacts by (workspace, name key, id) or seeks a name/email prefix; never a table scan", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const inbox = await createInbox(admin);
    const plan = async (seen: string[] | null, query: Record<string, unknown>, phase: "name" | "email") => {
      const built = buildContactsQuery(getDb(env.DB), workspaceId, seen, ContactsQuery.parse(query), phase);
      const { sql, params } = built.query.toSQL();
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      return results.map((r) => r.detail);
    };
    for (const [name, seen, query, phase, index] of [
      ["all (admin)", null, {}, "name", /INDEX contacts_ws_name_key \(workspace_id=\?\)/],
      ["an agent's", [inbox.id], {}, "name", /INDEX contacts_ws_name_key \(workspace_id=\?\)/],
      [
        "a name prefix",
        null,
        { q: "Zed" },
        "name",
        /INDEX contacts_ws_name_key \(workspace_id=\? AND name_key>\? AND name_key<\?\)/,
      ],
      [
        "an email prefix",
        [inbox.id],
        { q: "zed" },
        "email",
        /INDEX contacts_ws_email_key \(workspace_id=\? AND email_key>\? AND email_key<\?\)/,
      ],
    ] as const) {
      const steps = await plan(seen ? [...seen] : null, query, phase);
      const driver = steps.find((d) => /SEARCH contacts/.test(d)) ?? steps.join(" | ");
      expect({ name, driver, sorts: steps.some((d) => d.includes("TEMP B-TREE")) }, steps.join("\n")).toMatchObject({
        name,
        driver: expect.stringMatching(index),
        sorts: false,
      });
      // Each row's visibility and count are looked up by the contact's conversations index.
      for (const step of steps.filter((d) => /conversations/.test(d))) {
        expect(step).toMatch(/USING (COVERING )?INDEX conversations_contact_inbox_activity/);
      }
    }
  });
});
