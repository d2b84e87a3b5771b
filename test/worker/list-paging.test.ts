/**
 * Paging through every list view and filter, page by small page, gives exactly
 * the conversations `inView` accepts, in `compareInView` order, with none
 * skipped or repeated: for each shape the list query takes (list-plan.ts) — one
 * index walk, an agent's per-inbox merge (up to its most inboxes, D1's bound
 * parameters in mind), and a scan with a budget whose pages may come back
 * short (an agent with 121 inboxes, Following with a tag, a second filter).
 * Rows are written straight into D1: many inboxes, ties on time, copies of
 * status and time in the per-user and tag tables as the rooms keep them.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ListQuery, type Summary, type View } from "../../worker/contract";
import { getDb } from "../../worker/db/client";
import { grantsFor } from "../../worker/db/queries/access";
import { buildListQuery, getSummaries, listConversations } from "../../worker/db/queries/conversations";
import { ACCESS_LIST_MAX, MERGE_MAX_INBOXES } from "../../worker/db/queries/list-plan";
import { compareInView, inView, type ListFilter } from "../../worker/domain/list-views";
import type { Actor } from "../../worker/env";
import { setUpWorkspace } from "./helpers";

const VIEWS: View[] = [
  "all",
  "mine",
  "unassigned",
  "snoozed",
  "resolved",
  "spam",
  "following",
  "mentioned",
  "breaching",
];
const STATUSES = ["open", "open", "snoozed", "resolved", "spam"] as const;
const PRIORITIES = ["none", "high", "low"] as const;
const TAGS = ["vip", "bug"] as const;
const INBOXES = 130;
const T0 = 1_800_000_000_000;

/** A tiny deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

async function seedWorkspace(workspaceId: string, adminId: string) {
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const run = (sql: string, ...params: unknown[]) => env.DB.prepare(sql).bind(...params);
  const stmts: D1PreparedStatement[] = [];
  const inbox = (i: number) => `ib_${String(i).padStart(3, "0")}`;
  for (let i = 0; i < INBOXES; i++)
    stmts.push(
      run(
        "INSERT INTO inboxes (id, workspace_id, name, channel, widget_key, widget_secret, created_at) VALUES (?, ?, ?, 'chat', ?, ?, 0)",
        inbox(i),
        workspaceId,
        `Inbox ${i}`,
        `wk_paging_${i}`,
        `sec_${i}`,
      ),
    );
  // few: 2 inboxes; slice: 1; edge: as many as the merge takes; list: the longest access list bound as
  // parameters; many: 121 (past D1's 100 parameters: the scan probes each row's grant).
  const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
  const agents = {
    few: [0, 1],
    slice: [2],
    edge: range(MERGE_MAX_INBOXES),
    list: range(ACCESS_LIST_MAX),
    many: [0, ...range(120, 10)],
  };
  for (const [name, inboxes] of Object.entries(agents)) {
    stmts.push(
      run(
        "INSERT INTO users (id, workspace_id, name, email, password_hash, role, time_zone, email_notifications, created_at) VALUES (?, ?, ?, ?, 'x', 'agent', 'UTC', 0, 0)",
        `us_${name}`,
        workspaceId,
        `Agent ${name}`,
        `${name}@paging.test`,
      ),
    );
    for (const i of inboxes)
      stmts.push(
        run("INSERT INTO inbox_access (inbox_id, user_id, access) VALUES (?, ?, 'reply')", inbox(i), `us_${name}`),
      );
  }
  stmts.push(
    run("INSERT INTO teams (id, workspace_id, name, created_at) VALUES ('tm_1', ?, 'Tier 2', 0)", workspaceId),
  );
  for (const tag of TAGS)
    stmts.push(
      run(
        "INSERT INTO tags (id, workspace_id, name, color, created_at) VALUES (?, ?, ?, '#2563eb', 0)",
        `tg_${tag}`,
        workspaceId,
        tag,
      ),
    );
  stmts.push(
    run(
      "INSERT INTO contacts (id, workspace_id, name, email, created_at) VALUES ('ct_1', ?, 'Cat', 'cat@mail.test', 0)",
      workspaceId,
    ),
  );
  const people = [adminId, "us_few", "us_slice", "us_edge", "us_list", "us_many"];
  // Inboxes 0–3 hold most conversations; the rest spread thin over the others.
  for (let i = 0; i < 160; i++) {
    const id = `cv_${String(i).padStart(4, "0")}`;
    const status = pick(STATUSES);
    // Ties on time, so pages must break them by id.
    const at = T0 - Math.floor(rand() * 40) * 1000;
    const ib = rand() < 0.6 ? Math.floor(rand() * 4) : Math.floor(rand() * INBOXES);
    const clock = (status === "open" || status === "snoozed") && rand() < 0.6;
    const due = T0 + Math.floor(rand() * 20) * 1000;
    stmts.push(
      run(
        `INSERT INTO conversations (id, workspace_id, inbox_id, contact_id, subject, status, priority, assignee_id, team_id,
           last_activity_at, created_at, updated_at, sla_kind, sla_started_at, sla_due_at)
         VALUES (?, ?, ?, 'ct_1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        workspaceId,
        inbox(ib),
        `Question ${i}`,
        status,
        pick(PRIORITIES),
        rand() < 0.5 ? pick(people) : null,
        rand() < 0.4 ? "tm_1" : null,
        at,
        at,
        at,
        clock ? "first_response" : null,
        clock ? T0 - 3_600_000 : null,
        clock ? due : null,
      ),
    );
    for (const user of people) {
      if (rand() < 0.3)
        stmts.push(
          run(
            "INSERT INTO followers (conversation_id, user_id, status, last_activity_at, created_at) VALUES (?, ?, ?, ?, 0)",
            id,
            user,
            status,
            at,
          ),
        );
      if (rand() < 0.2)
        stmts.push(
          run(
            "INSERT INTO mentions (conversation_id, user_id, seq, status, last_activity_at, created_at) VALUES (?, ?, 1, ?, ?, 0)",
            id,
            user,
            status,
            at,
          ),
        );
    }
    for (const tag of TAGS)
      if (rand() < 0.25)
        stmts.push(
          run(
            "INSERT INTO conversation_tags (conversation_id, tag_id, status, last_activity_at) VALUES (?, ?, ?, ?)",
            id,
            `tg_${tag}`,
            status,
            at,
          ),
        );
  }
  for (let i = 0; i < stmts.length; i += 200) await env.DB.batch(stmts.slice(i, i + 200));
  return { inbox, people };
}

async function membership(userId: string, table: "followers" | "mentions") {
  const { results } = await env.DB.prepare(`SELECT conversation_id AS id FROM ${table} WHERE user_id = ?`)
    .bind(userId)
    .all<{ id: string }>();
  return new Set(results.map((r) => r.id));
}

describe("list paging", () => {
  it("pages every view and filter in order, none skipped or repeated, for every shape of the query", async () => {
    const { admin, workspaceId } = await setUpWorkspace();
    const db = getDb(env.DB);
    const { inbox } = await seedWorkspace(workspaceId, admin.id);
    const { results } = await env.DB.prepare("SELECT id FROM conversations WHERE workspace_id = ?")
      .bind(workspaceId)
      .all<{ id: string }>();
    const all = [
      ...(
        await getSummaries(
          db,
          results.map((r) => r.id),
        )
      ).values(),
    ];

    const actor = (id: string, role: "admin" | "agent"): Actor => ({
      id,
      workspaceId,
      name: id,
      email: `${id}@paging.test`,
      role,
      via: "session",
    });
    const viewers = [
      actor(admin.id, "admin"),
      actor("us_few", "agent"),
      actor("us_slice", "agent"),
      actor("us_edge", "agent"),
      actor("us_list", "agent"),
      actor("us_many", "agent"),
    ];
    const filters: Omit<ListFilter, "view">[] = [
      {},
      { inboxId: inbox(0) },
      { inboxId: inbox(2) },
      { assigneeId: "us_few" },
      { teamId: "tm_1" },
      { tag: "vip" },
      { priority: "high" },
      { tag: "bug", priority: "low" },
      { inboxId: inbox(1), teamId: "tm_1" },
    ];
    const modes = new Set<string>();
    let shortPages = 0;
    let compared = 0;

    for (const viewer of viewers) {
      const grants = await grantsFor(db, viewer);
      const me = {
        id: viewer.id,
        following: await membership(viewer.id, "followers"),
        mentionedIn: await membership(viewer.id, "mentions"),
      };
      const visible = all.filter((c) => grants.has(c.inboxId));
      for (const view of VIEWS) {
        for (const filter of filters) {
          for (const limit of [3, 7]) {
            const label = `${viewer.id} ${view} ${JSON.stringify(filter)} limit ${limit}`;
            const expected = visible
              .filter((c) => inView(c, { view, ...filter }, me))
              .sort((a, b) => compareInView(view, a, b))
              .map((c) => c.id);
            const listed: Summary[] = [];
            let cursor: string | undefined;
            for (let pageNo = 0; pageNo < 200; pageNo++) {
              const query = ListQuery.parse({ view, ...filter, limit, ...(cursor ? { cursor } : {}) });
              const built = await buildListQuery(db, viewer, grants, query);
              if (built) {
                modes.add(built.mode);
                // D1 binds at most 100 parameters per statement.
                expect(built.query.toSQL().params.length, label).toBeLessThanOrEqual(100);
              }
              const page = await listConversations(db, viewer, grants, query);
              expect(page.items.length, label).toBeLessThanOrEqual(limit);
              if (page.nextCursor && page.items.length < limit) shortPages++;
              listed.push(...page.items);
              if (!page.nextCursor) break;
              cursor = page.nextCursor;
            }
            expect(
              listed.map((c) => c.id),
              label,
            ).toEqual(expected);
            if (expected.length) compared++;
          }
        }
      }
    }
    // Every shape ran, and some scans spent their budget and came back short.
    expect([...modes].sort()).toEqual(["merge", "page", "scan"]);
    expect(shortPages).toBeGreaterThan(0);
    // Most combinations list something: the comparisons are not empty on both sides by accident.
    expect(compared).toBeGreaterThan(VIEWS.length * filters.length * viewers.length);
  }, 240_000);
});
