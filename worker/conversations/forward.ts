/**
 * Forwarding a conversation by email to people outside the inbox (SPEC §6.7).
 * Checked here (reply access, the agent's rate), written by the
 * conversation's room (the `forwarded` event, its outbox row and the
 * remembered recipients in one batch), then sent at once; the minute sweep
 * retries what fails, and the outbox's one row per item keeps it single.
 */
import type { z } from "zod";
import {
  FORWARDS_PER_HOUR,
  type ForwardInput,
  type ForwardRecipients,
  type Item,
  MAX_FORWARD_SUGGESTIONS,
} from "../contract";
import type { Db } from "../db/client";
import { recipientSuggestions } from "../db/queries/outbox";
import { sendQueuedReply } from "../email/deliver";
import type { Actor } from "../env";
import { unwrap } from "../errors";
import { newId } from "../lib/ids";
import { attempt, type Limit } from "../lib/rate-limit";
import { iso } from "../lib/time";
import { getConversationRoom } from "../rooms/conversation-room";
import { authorOf, conversationFor } from "./find";

type ForwardRecipientsBody = z.infer<typeof ForwardRecipients>;

const FORWARD_LIMIT: Limit = { max: FORWARDS_PER_HOUR, windowMs: 60 * 60_000 };

/**
 * Forwards the thread; answers its `forwarded` event. `refuse` is called with
 * the seconds to wait when the agent forwarded too often (it throws the 429).
 * A retry with the same Idempotency-Key returns the first event and sends nothing more.
 */
export async function forwardConversation(
  env: Env,
  db: Db,
  actor: Actor,
  id: string,
  input: ForwardInput,
  key: string | undefined,
  waitUntil: (work: Promise<unknown>) => void,
  refuse: (waitSeconds: number) => never,
): Promise<Item> {
  const { conversation } = await conversationFor(db, actor, id, "reply");
  const wait = await attempt(db, [`forward:${actor.id}`], FORWARD_LIMIT);
  if (wait > 0) refuse(wait);
  const outboxId = newId("ob");
  const { item } = unwrap(
    await getConversationRoom(env, conversation.id).forward(
      conversation.id,
      { to: input.to, includeNotes: input.includeNotes, message: input.message, idempotencyKey: key, outboxId },
      authorOf(actor),
    ),
  );
  // A replayed forward has its first outbox row; this id then names none, and nothing is sent twice.
  waitUntil(sendQueuedReply(env, db, outboxId).catch((e) => console.error("forward email", e)));
  return item;
}

/** The workspace's earlier forward recipients matching `q`, for the dialog's autocomplete. */
export async function forwardSuggestions(db: Db, actor: Actor, q: string): Promise<ForwardRecipientsBody> {
  const rows = await recipientSuggestions(db, actor.workspaceId, q, MAX_FORWARD_SUGGESTIONS);
  return { items: rows.map((r) => ({ email: r.email, uses: r.uses, lastUsedAt: iso(r.lastUsedAt) })) };
}
