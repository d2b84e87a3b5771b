/**
 * One change applied to many conversations: the shared checks once (team,
 * snooze, tags), then each conversation through its own room, a few rooms at
 * a time. Every id gets its own answer; one refused never stops the others.
 */
import type { BulkChange, BulkInput, BulkResult } from "../contract";
import type { Db } from "../db/client";
import { grantsFor } from "../db/queries/access";
import { type ConversationRow, findConversations, getSummaries } from "../db/queries/conversations";
import { findTags, resolveTags } from "../db/queries/tags";
import { type Action, decide } from "../domain/access";
import type { Actor } from "../env";
import { AppError, type Failure } from "../errors";
import { newId } from "../lib/ids";
import { mapBounded } from "../lib/pool";
import { getConversationRoom, type UpdateConversation } from "../rooms/conversation-room";
import { assigneeFor, snoozeEnd, teamOf } from "./checks";
import { authorOf } from "./find";

/** Rooms written to at once: enough to overlap their D1 round trips, few enough to be gentle on D1. */
export const BULK_CONCURRENCY = 8;

const NOT_FOUND: Failure = { code: "not_found", message: "Conversation not found" };

/** Applies `change` to each of `ids` the actor may change; answers per id, in order. */
export async function bulkChange(env: Env, db: Db, actor: Actor, { ids, ...change }: BulkInput): Promise<BulkResult[]> {
  const [rows, grants, shared] = await Promise.all([
    findConversations(db, actor.workspaceId, ids),
    grantsFor(db, actor),
    sharedChange(db, actor, change),
  ]);
  const action = actionOf(change);
  // The assignee must be able to reply in each conversation's inbox: checked once per inbox.
  const assignees = new Map<string, ReturnType<typeof assigneeIn>>();
  const assigneeOf = (inboxId: string) => {
    if (!assignees.has(inboxId)) assignees.set(inboxId, assigneeIn(db, actor, inboxId, change.assigneeId));
    return assignees.get(inboxId)!;
  };
  const results = await mapBounded(
    ids,
    BULK_CONCURRENCY,
    async (id): Promise<BulkResult> => {
      const row = rows.get(id);
      const refused = row ? refusal(row, actor, grants.get(row.inboxId), action) : NOT_FOUND;
      if (refused) return { id, ok: false, error: refused };
      const assignee = await assigneeOf(row!.inboxId);
      if (assignee && "code" in assignee) return { id, ok: false, error: assignee };
      const answer = await getConversationRoom(env, id).update(id, { ...shared, assignee }, authorOf(actor));
      return answer.ok ? { id, ok: true } : { id, ok: false, error: answer.error };
    },
    (id, error): BulkResult => {
      console.error("bulk change", id, error);
      return { id, ok: false, error: { code: "internal", message: "This conversation could not be changed" } };
    },
  );
  const summaries = await getSummaries(
    db,
    results.filter((r) => r.ok).map((r) => r.id),
  );
  return results.map((r) => (r.ok ? { ...r, conversation: summaries.get(r.id) } : r));
}

/** Why the actor may not change this conversation, or null: unseen is "not found", never more. */
function refusal(row: ConversationRow, actor: Actor, grant: Parameters<typeof decide>[1], action: Action) {
  const decision = decide(actor.role, grant, action);
  if (decision === "not_found") return NOT_FOUND;
  if (decision === "forbidden") {
    return { code: "forbidden", message: "Your access to this inbox does not allow that" } satisfies Failure;
  }
  if (row.mergedInto) {
    return {
      code: "conflict",
      message: "This conversation was merged into another one",
      details: { mergedInto: row.mergedInto },
    } satisfies Failure;
  }
  return null;
}

/** The access a bulk change needs on each conversation's inbox (all of them need reply today). */
function actionOf(change: BulkChange): Action {
  if (change.status) return "set_status";
  if (change.addTags || change.removeTags) return "tag";
  return "assign";
}

/** What every conversation gets, checked once: a 400 here refuses the whole request. */
async function sharedChange(db: Db, actor: Actor, change: BulkChange): Promise<UpdateConversation> {
  const snoozedUntil = snoozeEnd(change.snoozedUntil, ["snoozedUntil"]);
  const team = await teamOf(db, actor.workspaceId, change.teamId);
  const tags =
    change.addTags || change.removeTags
      ? {
          add: await resolveTags(db, actor.workspaceId, change.addTags ?? [], () => newId("tg")),
          remove: change.removeTags ? (await findTags(db, actor.workspaceId, change.removeTags)).map((t) => t.id) : [],
        }
      : undefined;
  return { status: change.status, snoozedUntil, team, priority: change.priority, tags };
}

/** The assignee for conversations in `inboxId`: undefined (unchanged), null, a user, or why not. */
async function assigneeIn(db: Db, actor: Actor, inboxId: string, userId: string | null | undefined) {
  if (userId === undefined || userId === null) return userId;
  try {
    return await assigneeFor(db, actor, inboxId, userId);
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message } satisfies Failure;
    throw error;
  }
}
