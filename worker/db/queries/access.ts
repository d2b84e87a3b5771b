import { and, eq } from "drizzle-orm";
import type { Access } from "../../contract";
import { effectiveAccess, seesEveryInbox } from "../../domain/access";
import type { Actor } from "../../env";
import type { Db } from "../client";
import { inboxAccess, inboxes } from "../schema";

/** Every inbox the actor can see, with the level they hold there. */
export async function grantsFor(
  db: Db,
  actor: Pick<Actor, "id" | "role" | "workspaceId">,
): Promise<Map<string, Access>> {
  if (seesEveryInbox(actor.role)) {
    const rows = await db.select({ id: inboxes.id }).from(inboxes).where(eq(inboxes.workspaceId, actor.workspaceId));
    return new Map(rows.map((r) => [r.id, "reply" as const]));
  }
  const rows = await db
    .select({ inboxId: inboxAccess.inboxId, access: inboxAccess.access })
    .from(inboxAccess)
    .where(eq(inboxAccess.userId, actor.id));
  return new Map(rows.map((r) => [r.inboxId, r.access]));
}

/** The level a user holds on one inbox of their workspace, or null. */
export async function grantFor(
  db: Db,
  user: Pick<Actor, "id" | "role" | "workspaceId">,
  inboxId: string,
): Promise<Access | null> {
  const [row] = await db
    .select({ access: inboxAccess.access })
    .from(inboxes)
    .leftJoin(inboxAccess, and(eq(inboxAccess.inboxId, inboxes.id), eq(inboxAccess.userId, user.id)))
    .where(and(eq(inboxes.id, inboxId), eq(inboxes.workspaceId, user.workspaceId)))
    .limit(1);
  if (!row) return null;
  return effectiveAccess(user.role, row.access);
}
