/** Finding a conversation for an agent, and the shape they see it in. */
import type { Access, Conversation } from "../contract";
import type { Db } from "../db/client";
import { grantFor, grantsFor } from "../db/queries/access";
import { type ConversationRow, findConversation, getConversation } from "../db/queries/conversations";
import { type Action, decide } from "../domain/access";
import type { Actor } from "../env";
import { forbidden, notFound } from "../errors";
import type { AuthorRef } from "../rooms/conversation-room";

/** The actor as the author of what they write or change. */
export const authorOf = (actor: Actor): AuthorRef => ({ type: "user", id: actor.id, name: actor.name });

/**
 * Loads a conversation the actor may act on: 404 when it does not exist or
 * they cannot see its inbox, 403 when they see it but lack the level.
 */
export async function conversationFor(
  db: Db,
  actor: Actor,
  id: string,
  action: Action,
): Promise<{ conversation: ConversationRow; access: Access }> {
  const conversation = await findConversation(db, id);
  if (!conversation || conversation.workspaceId !== actor.workspaceId) throw notFound("Conversation not found");
  const grant = await grantFor(db, actor, conversation.inboxId);
  const decision = decide(actor.role, grant, action);
  if (decision === "not_found") throw notFound("Conversation not found");
  if (decision === "forbidden")
    throw forbidden(`Your access to this inbox does not allow that (${action.replace("_", " ")})`);
  return { conversation, access: grant! };
}

/** The conversation as `actor` may see it: links into inboxes they cannot see are left out. */
export async function conversationView(db: Db, actor: Actor, id: string): Promise<Conversation | null> {
  const grants = await grantsFor(db, actor);
  return getConversation(db, id, (inboxId) => grants.has(inboxId));
}
