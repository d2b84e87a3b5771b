/** Merging a conversation into another (SPEC §6.5): the checks an agent's request must pass, then the rooms. */
import type { Db } from "../db/client";
import type { Actor } from "../env";
import { AppError, unwrap } from "../errors";
import { getConversationRoom } from "../rooms/conversation-room";
import { authorOf, conversationFor } from "./find";

/**
 * Merges `sourceId` into `intoId` and returns the target's id. Reply access
 * to both is needed; a conversation the actor cannot see answers 404 like one
 * that does not exist, so a merge never tells what lies on the other side.
 * Asking again for a merge that happened answers as the first time did.
 */
export async function mergeConversation(env: Env, db: Db, actor: Actor, sourceId: string, intoId: string) {
  if (sourceId === intoId) {
    throw new AppError("validation_failed", "A conversation cannot be merged into itself", [
      { path: ["intoConversationId"], message: "is this conversation" },
    ]);
  }
  const { conversation: source } = await conversationFor(db, actor, sourceId, "reply");
  const { conversation: target } = await conversationFor(db, actor, intoId, "reply");
  if (source.mergedInto !== intoId) {
    if (source.mergedInto) throw new AppError("conflict", "This conversation was already merged into another one");
    if (target.mergedInto) {
      throw new AppError("conflict", "That conversation was merged into another one: merge into that one instead");
    }
    if (source.contactId !== target.contactId) {
      throw new AppError(
        "conflict",
        "These conversations are with different customers: merge the two contacts first, then the conversations",
      );
    }
  }
  unwrap(await getConversationRoom(env, source.id).merge(source.id, target.id, authorOf(actor)));
  return target.id;
}
