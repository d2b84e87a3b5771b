import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { RuleInput, UpdateRuleInput } from "../contract";
import { requireAdmin } from "../auth/session";
import { getDb, type Db } from "../db/client";
import { rulesOf, toRule } from "../db/queries/rules";
import { inboxes, rules } from "../db/schema";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { newId } from "../lib/ids";
import { validate } from "../lib/validate";

async function inboxOf(db: Db, workspaceId: string, inboxId: string) {
  const inbox = await db.query.inboxes.findFirst({
    where: and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, workspaceId)),
  });
  if (!inbox) throw notFound("Inbox not found");
  return inbox;
}

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
