/**
 * Bulk actions: one change for many conversations, each through its own
 * room. Every id answers for itself — 404 for what the agent cannot see, 403
 * where their level is too low, 409 for a merged one — and a refused id has
 * nothing written. Tags are added and removed against the room's own tags.
 */
import { describe, expect, it } from "vitest";
import {
  agentWith,
  call,
  createInbox,
  expectError,
  getConversation,
  grant,
  json,
  listIds,
  rowCounts,
  setTags,
  supportTeam,
  timeline,
  type As,
  type Person,
} from "./helpers";

const bulk = (as: As, ids: string[], change: Record<string, unknown>) =>
  call(as, "/api/conversations/bulk", { body: { ids, ...change } });

const bulkOk = (as: As, ids: string[], change: Record<string, unknown>) =>
  json(as, "/api/conversations/bulk", { body: { ids, ...change } });

/** An agent starts a conversation in `inboxId` (not rate-limited, unlike the widget). */
async function started(as: As, inboxId: string, name = "Grace Hopper") {
  const conversation = await json(as, "/api/conversations", { body: { inboxId, contact: { name }, body: "Hi" } }, 201);
  return conversation.id;
}

/** `count` conversations in `inboxId`, a few at a time. */
async function many(admin: Person, inboxId: string, count: number) {
  const ids: string[] = [];
  while (ids.length < count) {
    const batch = Math.min(10, count - ids.length);
    ids.push(...(await Promise.all(Array.from({ length: batch }, (_, i) => started(admin.as, inboxId, `C${i}`)))));
  }
  return ids;
}

/** A customer's chat merged into their second one: the first, now merged, is returned. */
async function mergedAway(admin: Person, widgetKey: string) {
  const first = await json(
    null,
    `/api/widget/${widgetKey}/conversations`,
    { body: { name: "Cara", body: "Late" } },
    201,
  );
  const token = { authorization: `Bearer ${first.contactToken}` };
  const second = await json(
    null,
    `/api/widget/${widgetKey}/conversations`,
    { body: { body: "And" }, headers: token },
    201,
  );
  const intoConversationId = second.conversationId;
  await json(admin.as, `/api/conversations/${first.conversationId}/merge`, { body: { intoConversationId } });
  return first.conversationId;
}

describe("POST /api/conversations/bulk", () => {
  it("answers each id for itself and writes nothing for those refused", async () => {
    const { admin, inbox } = await supportTeam();
    const billing = await createInbox(admin, "Billing");
    const secret = await createInbox(admin, "Secret");
    const ana = await agentWith(admin, inbox.id, "reply", "Ana Agent");
    await grant(admin, billing.id, ana, "view");
    const [mine, alsoMine] = [await started(admin.as, inbox.id), await started(admin.as, inbox.id)];
    const viewOnly = await started(admin.as, billing.id);
    const unseen = await started(admin.as, secret.id);
    const merged = await mergedAway(admin, inbox.widgetKey);

    const before = await rowCounts("timeline_items");
    const ids = [mine, viewOnly, unseen, "cv_missing", merged, alsoMine];
    const { results } = await bulkOk(ana.as, ids, { status: "resolved", priority: "high" });

    expect(results.map((r) => r.id)).toEqual(ids);
    const codes = results.map((r) => (r.ok ? "ok" : r.error.code));
    expect(codes).toEqual(["ok", "forbidden", "not_found", "not_found", "conflict", "ok"]);
    // Unseen and missing read alike: nothing tells them apart.
    expect(results[2]).toEqual({ ...results[3], id: unseen });
    const first = results[0]!;
    expect(first.ok && first.conversation).toMatchObject({ id: mine, status: "resolved", priority: "high" });
    // Two events on each of the two changed, nothing anywhere else.
    expect((await rowCounts("timeline_items")).timeline_items).toBe(before.timeline_items! + 4);
    expect(await getConversation(admin.as, viewOnly)).toMatchObject({ status: "open", priority: "none" });
    expect(await getConversation(admin.as, unseen)).toMatchObject({ status: "open", priority: "none" });
    expect(await listIds(ana.as, { view: "resolved" })).toEqual(expect.arrayContaining([mine, alsoMine]));
    expect(await listIds(ana.as, { view: "all" })).not.toContain(mine);
  });

  it("adds and removes tags against each conversation's own tags, and twice is harmless", async () => {
    const { admin, inbox } = await supportTeam();
    const tagged = await started(admin.as, inbox.id);
    const bare = await started(admin.as, inbox.id);
    await setTags(admin.as, tagged, ["vip", "refund", "Billing"]);
    const change = { addTags: ["urgent", "VIP"], removeTags: ["refund", "never-seen"] };
    const { results } = await bulkOk(admin.as, [tagged, bare], change);
    expect(results.every((r) => r.ok)).toBe(true);
    expect((await getConversation(admin.as, tagged)).tags.sort()).toEqual(["Billing", "urgent", "vip"]);
    expect((await getConversation(admin.as, bare)).tags.sort()).toEqual(["urgent", "vip"]);

    const items = (await timeline(admin.as, tagged)).items.length;
    await bulkOk(admin.as, [tagged, bare], change);
    expect((await timeline(admin.as, tagged)).items.length).toBe(items);
  });

  it("snoozes until a time, and refuses a snooze in the past for the whole request", async () => {
    const { admin, inbox } = await supportTeam();
    const ids = [await started(admin.as, inbox.id), await started(admin.as, inbox.id)];
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await bulkOk(admin.as, ids, { status: "snoozed", snoozedUntil: until });
    for (const id of ids)
      expect(await getConversation(admin.as, id)).toMatchObject({ status: "snoozed", snoozedUntil: until });
    expect(await listIds(admin.as, { view: "snoozed" })).toEqual(expect.arrayContaining(ids));

    const past = new Date(Date.now() - 60_000).toISOString();
    await expectError(bulk(admin.as, ids, { status: "snoozed", snoozedUntil: past }), 400, "validation_failed");
  });

  it("assigns only where the assignee can reply, per inbox", async () => {
    const { admin, inbox } = await supportTeam();
    const other = await createInbox(admin, "Billing");
    const bo = await agentWith(admin, inbox.id, "reply", "Bo Agent");
    const here = await started(admin.as, inbox.id);
    const there = await started(admin.as, other.id);
    const { results } = await bulkOk(admin.as, [here, there], { assigneeId: bo.id });
    expect(results[0]).toMatchObject({ ok: true, conversation: { assignee: { id: bo.id } } });
    expect(results[1]).toMatchObject({ ok: false, error: { code: "validation_failed" } });
    expect((await getConversation(admin.as, there)).assignee).toBeNull();
  });

  it("resolves 100 at once, and refuses 101, a repeated id or an empty change", async () => {
    const { admin, inbox } = await supportTeam();
    const ids = await many(admin, inbox.id, 100);
    const { results } = await bulkOk(admin.as, ids, { status: "resolved" });
    expect(results.filter((r) => r.ok)).toHaveLength(100);
    expect(await listIds(admin.as, { view: "all", limit: 100 })).toEqual([]);

    await expectError(bulk(admin.as, [...ids, "cv_extra"], { status: "open" }), 400, "validation_failed");
    await expectError(bulk(admin.as, [ids[0]!, ids[0]!], { status: "open" }), 400, "validation_failed");
    await expectError(bulk(admin.as, [ids[0]!], {}), 400, "validation_failed");
    await expectError(bulk(admin.as, [], { status: "open" }), 400, "validation_failed");
    await expectError(bulk(admin.as, [ids[0]!], { inboxId: inbox.id }), 400, "validation_failed");
  }, 60_000);
});
