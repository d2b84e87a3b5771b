import { and, asc, count, eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { RuleInput, UpdateRuleInput, type Rule } from "../contract";
import { requireAdmin } from "../auth/session";
import { getDb, type Db } from "../db/client";
import type { ContactRow } from "../db/queries/contacts";
import { resolveTags } from "../db/queries/tags";
import { conversations, inboxAccess, inboxes, rules, teamMembers, teams, users } from "../db/schema";
import { canBeAssigned } from "../domain/access";
import { evaluate, leastLoaded, type Facts } from "../domain/rules";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { newId } from "../lib/ids";
import { validate } from "../lib/validate";
import type { InitialFields } from "../rooms/conversation-room";
import { getWorkspaceHub } from "../rooms/workspace-hub";

type RuleRow = typeof rules.$inferSelect;

const toRule = (r: RuleRow): Rule => ({
  id: r.id,
  inboxId: r.inboxId,
  position: r.position,
  name: r.name,
  enabled: r.enabled,
  conditions: r.conditions as Rule["conditions"],
  actions: r.actions as Rule["actions"],
});

async function inboxOf(db: Db, workspaceId: string, inboxId: string) {
  const inbox = await db.query.inboxes.findFirst({
    where: and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, workspaceId)),
  });
  if (!inbox) throw notFound("Inbox not found");
  return inbox;
}

const rulesOf = (db: Db, inboxId: string) =>
  db.select().from(rules).where(eq(rules.inboxId, inboxId)).orderBy(asc(rules.position), asc(rules.createdAt));

/** Admins manage each inbox's rules; they run in order when a conversation is created. */
export const ruleRoutes = new Hono<AppEnv>()
  .get("/:inboxId/rules", requireAdmin, async (c) => {
    const db = getDb(c.env.DB);
    const inbox = await inboxOf(db, c.var.actor.workspaceId, c.req.param("inboxId"));
    return c.json({ items: (await rulesOf(db, inbox.id)).map(toRule) });
  })
  .post("/:inboxId/rules", requireAdmin, validate("json", RuleInput), async (c) => {
    const db = getDb(c.env.DB);
    const inbox = await inboxOf(db, c.var.actor.workspaceId, c.req.param("inboxId"));
    const existing = await rulesOf(db, inbox.id);
    const [row] = await db
      .insert(rules)
      .values({
        id: newId("rl"),
        inboxId: inbox.id,
        position: existing.length,
        ...c.req.valid("json"),
        createdAt: Date.now(),
      })
      .returning();
    return c.json(toRule(row!), 201);
  })
  .patch("/:inboxId/rules/:ruleId", requireAdmin, validate("json", UpdateRuleInput), async (c) => {
    const db = getDb(c.env.DB);
    const inbox = await inboxOf(db, c.var.actor.workspaceId, c.req.param("inboxId"));
    const ordered = await rulesOf(db, inbox.id);
    const rule = ordered.find((r) => r.id === c.req.param("ruleId"));
    if (!rule) throw notFound("Rule not found");
    const { position, ...fields } = c.req.valid("json");
    // Moving a rule renumbers the inbox's rules 0…n-1 in their new order.
    const order = ordered.filter((r) => r.id !== rule.id);
    order.splice(Math.min(position ?? rule.position, order.length), 0, rule);
    await db.batch([
      db
        .update(rules)
        .set({ ...fields, position: order.indexOf(rule) })
        .where(eq(rules.id, rule.id)),
      ...order
        .filter((r) => r !== rule)
        .map((r) =>
          db
            .update(rules)
            .set({ position: order.indexOf(r) })
            .where(eq(rules.id, r.id)),
        ),
    ]);
    return c.json(toRule((await rulesOf(db, inbox.id)).find((r) => r.id === rule.id)!));
  })
  .delete("/:inboxId/rules/:ruleId", requireAdmin, async (c) => {
    const db = getDb(c.env.DB);
    const inbox = await inboxOf(db, c.var.actor.workspaceId, c.req.param("inboxId"));
    const [gone] = await db
      .delete(rules)
      .where(and(eq(rules.id, c.req.param("ruleId")), eq(rules.inboxId, inbox.id)))
      .returning({ id: rules.id });
    if (!gone) throw notFound("Rule not found");
    return c.body(null, 204);
  });

/** Team members who may own conversations of the inbox (reply access, or admins). */
async function eligibleMembers(db: Db, teamId: string, inboxId: string) {
  const rows = await db
    .select({ id: users.id, name: users.name, role: users.role, access: inboxAccess.access })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId)))
    .where(eq(teamMembers.teamId, teamId));
  return rows.filter((r) => canBeAssigned(r.role, r.access)).map((r) => ({ id: r.id, name: r.name }));
}

/**
 * What the inbox's rules decide for a new conversation, resolved to people,
 * a team and tags: round-robin turns come from the workspace hub, load from
 * each member's open conversations. An action that names no one eligible is skipped.
 */
export async function autoAssign(
  env: Env,
  db: Db,
  target: {
    workspaceId: string;
    inboxId: string;
    channel: string;
    subject: string | null;
    body: string;
    contact: ContactRow;
  },
): Promise<InitialFields | undefined> {
  const ruleRows = await rulesOf(db, target.inboxId);
  if (!ruleRows.length) return undefined;
  const facts: Facts = {
    channel: target.channel,
    subject: target.subject ?? "",
    body: target.body,
    contact: {
      email: target.contact.email ?? "",
      name: target.contact.name ?? "",
      language: target.contact.attributes.language ?? "",
      tags: target.contact.tags,
    },
  };
  const outcome = evaluate(ruleRows.map(toRule), facts);
  if (!outcome.applied.length) return undefined;

  const initial: InitialFields = { rules: outcome.applied };
  const a = outcome.assignment;
  if (a?.type === "assign_agent") {
    const user = await db.query.users.findFirst({
      where: and(eq(users.id, a.userId), eq(users.workspaceId, target.workspaceId)),
    });
    const grant = user
      ? await db.query.inboxAccess.findFirst({
          where: and(eq(inboxAccess.userId, user.id), eq(inboxAccess.inboxId, target.inboxId)),
        })
      : undefined;
    if (user && canBeAssigned(user.role, grant?.access)) initial.assignee = { id: user.id, name: user.name };
  } else if (a) {
    const team = await db.query.teams.findFirst({
      where: and(eq(teams.id, a.teamId), eq(teams.workspaceId, target.workspaceId)),
    });
    const members = team ? await eligibleMembers(db, team.id, target.inboxId) : [];
    if (team) initial.team = { id: team.id, name: team.name };
    let chosen: string | null = null;
    if (members.length && a.type === "assign_round_robin") {
      chosen = await getWorkspaceHub(env, target.workspaceId).rotate(
        a.teamId,
        members.map((m) => m.id),
      );
    } else if (members.length) {
      const loads = await db
        .select({ id: conversations.assigneeId, open: count() })
        .from(conversations)
        .where(
          and(
            eq(conversations.status, "open"),
            inArray(
              conversations.assigneeId,
              members.map((m) => m.id),
            ),
          ),
        )
        .groupBy(conversations.assigneeId);
      chosen = leastLoaded(new Map(members.map((m) => [m.id, loads.find((l) => l.id === m.id)?.open ?? 0])));
    }
    const member = members.find((m) => m.id === chosen);
    if (member) initial.assignee = member;
  }
  if (outcome.priority) initial.priority = outcome.priority;
  if (outcome.tags.length) initial.tags = await resolveTags(db, target.workspaceId, outcome.tags, () => newId("tg"));
  return initial;
}
