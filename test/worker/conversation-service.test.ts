/**
 * The conversation service starts every conversation the same way, whoever
 * starts it: the inbox's rules run once per conversation, a retry takes
 * nobody's turn, and a chat restarted after 24 quiet hours is assigned like
 * any new one.
 */
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { startConversation } from "../../worker/conversations";
import { getDb } from "../../worker/db/client";
import { ensureContact } from "../../worker/db/queries/contacts";
import { inboxes } from "../../worker/db/schema";
import {
  addUser,
  createInbox,
  createTeam,
  customerWrites,
  getConversation,
  grant,
  json,
  type Person,
  setUpWorkspace,
  startConversation as customerStarts,
  timeline,
} from "./helpers";

/** An inbox whose one rule rotates new conversations through a team of three and tags them. */
async function rotatingInbox() {
  const { admin } = await setUpWorkspace();
  const inbox = await createInbox(admin, "Support");
  const members: Person[] = [];
  for (const name of ["Ana Agent", "Ben Agent", "Cat Agent"]) {
    const member = await addUser(admin, "agent", name);
    await grant(admin, inbox.id, member, "reply");
    members.push(member);
  }
  const team = await createTeam(admin, "Tier 1", members);
  await json(
    admin.as,
    `/api/inboxes/${inbox.id}/rules`,
    {
      body: {
        name: "Rotate",
        conditions: [],
        actions: [
          { type: "assign_round_robin", teamId: team.id },
          { type: "add_tags", tags: ["triage"] },
        ],
      },
    },
    201,
  );
  return { admin, inbox, members };
}

/** Moves a conversation's last activity `hours` into the past. */
async function quiet(conversationId: string, hours: number) {
  await env.DB.prepare("UPDATE conversations SET last_activity_at = ? WHERE id = ?")
    .bind(Date.now() - hours * 3_600_000, conversationId)
    .run();
}

describe("starting a conversation", () => {
  it("runs the rules once: a repeated start returns the first item and takes no one's turn", async () => {
    const { admin, inbox, members } = await rotatingInbox();
    const db = getDb(env.DB);
    const row = (await db.query.inboxes.findFirst({ where: eq(inboxes.id, inbox.id) }))!;
    const contact = await ensureContact(db, { id: "ct_service_1", workspaceId: row.workspaceId, name: "Cleo" });
    const start = (conversationId: string) =>
      startConversation(env, db, {
        conversationId,
        inbox: row,
        contact,
        subject: null,
        first: { kind: "customer", body: "Hello", author: { type: "contact", id: contact.id, name: "Cleo" } },
      });

    const first = await start("cv_service_1");
    expect(await start("cv_service_1")).toEqual(first);
    for (const id of ["cv_service_2", "cv_service_3", "cv_service_4"]) await start(id);

    // Three members take turns: the fourth conversation goes to the first one's owner
    // only if the repeated start took no turn.
    const owners = await Promise.all(
      [1, 2, 3, 4].map(async (n) => (await getConversation(admin.as, `cv_service_${n}`)).assignee?.id as string),
    );
    expect(new Set(owners.slice(0, 3))).toEqual(new Set(members.map((m) => m.id)));
    expect(owners[3]).toBe(owners[0]);
    // One opening item, one set of rule events: the retry wrote nothing.
    const events = (await timeline(admin.as, "cv_service_1")).items.map((i) => i.event?.type ?? i.kind);
    expect(events.filter((e) => e === "customer")).toHaveLength(1);
    expect(events.filter((e) => e === "assigned")).toHaveLength(1);
  }, 30_000);

  it("assigns a chat restarted after 24 quiet hours by the inbox's rules, like any new conversation", async () => {
    const { admin, inbox, members } = await rotatingInbox();
    const { id, contactToken } = await customerStarts(inbox.widgetKey, "First question", { name: "Cleo" });
    await quiet(id, 25);
    const res = await customerWrites(contactToken, id, "A new question");
    const { conversationId } = await res.json<{ conversationId: string }>();
    expect(conversationId).not.toBe(id);

    const [earlier, restarted] = await Promise.all([
      getConversation(admin.as, id),
      getConversation(admin.as, conversationId),
    ]);
    expect(restarted).toMatchObject({ tags: ["triage"], status: "open" });
    // The next turn of the rotation: a member, not the earlier conversation's owner.
    expect(members.map((m) => m.id)).toContain(restarted.assignee?.id);
    expect(restarted.assignee?.id).not.toBe(earlier.assignee?.id);
  }, 30_000);
});
