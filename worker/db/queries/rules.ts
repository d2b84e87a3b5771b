import { asc, eq } from "drizzle-orm";
import type { Rule } from "../../contract";
import type { Db } from "../client";
import { rules } from "../schema";

export type RuleRow = typeof rules.$inferSelect;

export const toRule = (r: RuleRow): Rule => ({
  id: r.id,
  inboxId: r.inboxId,
  position: r.position,
  name: r.name,
  enabled: r.enabled,
  conditions: r.conditions as Rule["conditions"],
  actions: r.actions as Rule["actions"],
});

/** An inbox's rules in the order they run. */
export const rulesOf = (db: Db, inboxId: string) =>
  db.select().from(rules).where(eq(rules.inboxId, inboxId)).orderBy(asc(rules.position), asc(rules.createdAt));
