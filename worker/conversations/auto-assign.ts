/** Auto-assignment: what an inbox's rules decide for a conversation being started. */
import { and, count, eq, isNull } from "drizzle-orm";
import { inJson } from "../db/chunks";
import type { Db } from "../db/client";
import type { ContactRow } from "../db/queries/contacts";
import { rulesOf, toRule } from "../db/queries/rules";
import { resolveTags } from "../db/queries/tags";
import { conversations, inboxAccess, teamMembers, teams, users } from "../db/schema";
import { canBeAssigned } from "../domain/access";
import { evaluate, type Facts, leastLoaded } from "../domain/rules";
import { newId } from "../lib/ids";
import type { InitialFields } from "../rooms/conversation-room";
import { getWorkspaceHub } from "../rooms/workspace-hub";

/** Active team members who may own conversations of the inbox (reply access, or admins). */
async function eligibleMembers(db: Db, teamId: string, inboxId: string) {
  const rows = await db
    .select({ id: users.id, name: users.name, role: users.role, access: inboxAccess.access })
    .from(teamMembers)
    .innerJoin(users, eq(users.id, teamMembers.userId))
    .leftJoin(inboxAccess, and(eq(inboxAccess.userId, users.id), eq(inboxAccess.inboxId, inboxId)))
    .where(and(eq(teamMembers.teamId, teamId), isNull(users.deactivatedAt)));
  return rows.filter((r) => canBeAssigned(r.role, r.access)).map((r) => ({ id: r.id, name: r.name }));
}

/** What the rules see of a conversation being started. */
export interface AutoAssignTarget {
  workspaceId: string;
  inboxId: string;
  channel: string;
  subject: string | null;
  body: string;
  contact: ContactRow;
}

/**
 * What the inbox's rules decide for a new conversation, resolved to people,
 * a team and tags: round-robin turns come from the workspace hub, load from
 * each member's open conversations. An action that names no one eligible is skipped.
 */
export async function autoAssign(env: Env, db: Db, target: AutoAssignTarget): Promise<InitialFields | undefined> {
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
      where: and(eq(users.id, a.userId), eq(users.workspaceId, target.workspaceId), isNull(users.deactivatedAt)),
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
            inJson(
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
