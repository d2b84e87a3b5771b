/** Checks on the people, teams and inboxes a change names: each must exist and fit the inbox. */
import { and, eq } from "drizzle-orm";
import { inJson } from "../db/chunks";
import type { Db } from "../db/client";
import { grantFor } from "../db/queries/access";
import type { ConversationRow } from "../db/queries/conversations";
import { inboxAccess, inboxes, teams, users } from "../db/schema";
import { canBeAssigned, effectiveAccess } from "../domain/access";
import { keepsAssigneeAfterMove, mayMoveInto } from "../domain/moves";
import { snoozeLiesAhead } from "../domain/snooze";
import type { Actor } from "../env";
import { AppError, forbidden } from "../errors";

type Ref = { id: string; name: string };

/** A move needs reply access to the target inbox too (the source was checked with the conversation). */
export async function moveFor(db: Db, actor: Actor, conversation: ConversationRow, inboxId: string) {
  const decision = mayMoveInto(await grantFor(db, actor, inboxId));
  if (decision === "no_such_inbox")
    throw new AppError("validation_failed", "No such inbox", [{ path: ["inboxId"], message: "not found" }]);
  if (decision === "forbidden") throw forbidden("Moving a conversation needs reply access to both inboxes");
  const [from, to] = await Promise.all(
    [conversation.inboxId, inboxId].map((id) => db.query.inboxes.findFirst({ where: eq(inboxes.id, id) })),
  );
  return { from: { id: from!.id, name: from!.name }, to: { id: to!.id, name: to!.name } };
}

/** Whether the assignee keeps a conversation moved into `inboxId`. */
export async function assigneeStays(db: Db, userId: string, inboxId: string): Promise<boolean> {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  return keepsAssigneeAfterMove(user && { role: user.role, grant: await grantFor(db, user, inboxId) });
}

/** The assignee named in a PATCH, checked: they must be active and able to reply in the inbox. */
export async function assigneeFor(db: Db, actor: Actor, inboxId: string, userId: string): Promise<Ref> {
  const user = await db.query.users.findFirst({
    where: and(eq(users.id, userId), eq(users.workspaceId, actor.workspaceId)),
  });
  const grant = user ? await grantFor(db, user, inboxId) : null;
  if (!user || !canBeAssigned(user.role, grant)) {
    throw new AppError("validation_failed", "Only someone who can reply in this inbox can be assigned", [
      { path: ["assigneeId"], message: user ? `${user.name} cannot reply in this inbox` : "no such user" },
    ]);
  }
  if (user.deactivatedAt !== null) {
    throw new AppError("validation_failed", `${user.name} is deactivated`, [
      { path: ["assigneeId"], message: `${user.name} is deactivated` },
    ]);
  }
  return { id: user.id, name: user.name };
}

/** A change's team: unchanged (undefined), none (null), or the workspace's team checked by `teamForAssignment`. */
export async function teamOf(db: Db, workspaceId: string, teamId: string | null | undefined) {
  return teamId === undefined || teamId === null ? teamId : teamForAssignment(db, workspaceId, teamId);
}

/** When a snooze named in a change ends (epoch ms), checked to lie ahead; undefined when it names none. */
export function snoozeEnd(snoozedUntil: string | undefined, path: string[]): number | undefined {
  if (snoozedUntil === undefined) return undefined;
  const until = Date.parse(snoozedUntil);
  if (!snoozeLiesAhead(until, Date.now())) {
    throw new AppError("validation_failed", "A snooze must end in the future", [{ path, message: "is in the past" }]);
  }
  return until;
}

/** The team of this workspace with `id`, for assignment; a 400 when there is none. */
export async function teamForAssignment(db: Db, workspaceId: string, id: string): Promise<Ref> {
  const team = await db.query.teams.findFirst({ where: and(eq(teams.id, id), eq(teams.workspaceId, workspaceId)) });
  if (!team) throw new AppError("validation_failed", "No such team", [{ path: ["teamId"], message: "not found" }]);
  return { id: team.id, name: team.name };
}

/**
 * The agents named by `ids`, each checked to see the inbox (a mention or a
 * follower must be able to open the conversation). A 400 names those who cannot.
 */
export async function agentsWhoSee(
  db: Db,
  workspaceId: string,
  inboxId: string,
  ids: string[],
  field: string,
): Promise<Ref[]> {
  const unique = [...new Set(ids)];
  const rows = await db
    .select({ id: users.id, name: users.name, role: users.role, access: inboxAccess.access })
    .from(users)
    .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId)))
    .where(and(eq(users.workspaceId, workspaceId), inJson(users.id, unique)));
  const seeing = new Map(
    rows.filter((r) => effectiveAccess(r.role, r.access)).map((r) => [r.id, { id: r.id, name: r.name }]),
  );
  const refused = unique.filter((id) => !seeing.has(id));
  if (refused.length) {
    const names = rows.filter((r) => refused.includes(r.id)).map((r) => r.name);
    throw new AppError(
      "validation_failed",
      names.length ? `${names.join(", ")} cannot see this inbox` : "No such agent",
      refused.map((id) => ({
        path: [field],
        message: `${rows.find((r) => r.id === id)?.name ?? id} has no access to this inbox`,
        userId: id,
      })),
    );
  }
  return unique.map((id) => seeing.get(id)!);
}
