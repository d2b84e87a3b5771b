/**
 * Answers to a forward. Mail that names a forward's Message-ID in its
 * In-Reply-To/References (or is sent to a forward's reply address) and comes
 * from one of that forward's recipients becomes an internal note in the
 * conversation, authored "alex@finance.example via email", through the
 * conversation's room: never a customer message, so it neither reaches the
 * customer nor reopens or wakes the conversation. The agent who forwarded is
 * notified. The Message-ID is the note's idempotency key, so mail delivered
 * twice adds one note; it is not stored as the note's message id, so nothing
 * can thread into the customer's conversation through it.
 *
 * Mail from anyone else is no answer: to an inbox's address it is ordinary
 * inbound mail (a forward's id never threads into the customer's
 * conversation, see `conversationsByMessageId`), to the forward address it is dropped.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { findConversation, followMerges } from "../db/queries/conversations";
import { forwardById, forwardsByMessageId, type SentForward } from "../db/queries/outbox";
import { timelineItems } from "../db/schema";
import { unwrap } from "../errors";
import { getConversationRoom } from "../rooms/conversation-room";
import { type FilePlan, storeFiles, writeWithFiles } from "./inbound-files";

/** A forward this mail answers, and who forwarded it. */
export interface AnsweredForward {
  forward: SentForward;
  forwarderId: string | null;
}

/**
 * The forward `from` answers: named by the reply address's tag or by one of
 * the mail's thread ids, sent to `from`, and (when the mail came to an inbox)
 * in that inbox's workspace. Null when there is none.
 */
export async function answeredForward(
  db: Db,
  threadIds: string[],
  tag: string | null,
  from: string,
  workspaceId: string | null,
): Promise<AnsweredForward | null> {
  const byTag = tag ? await forwardById(db, tag) : undefined;
  const candidates = [...(byTag ? [byTag] : []), ...(await forwardsByMessageId(db, threadIds.slice(0, 100)))];
  for (const forward of candidates) {
    if (workspaceId && forward.workspaceId !== workspaceId) continue;
    const [event] = await db
      .select({ event: timelineItems.event, authorId: timelineItems.authorId })
      .from(timelineItems)
      .where(and(eq(timelineItems.conversationId, forward.conversationId), eq(timelineItems.seq, forward.seq)));
    if (event?.event?.type === "forwarded" && event.event.to.includes(from)) {
      return { forward, forwarderId: event.authorId };
    }
  }
  return null;
}

/**
 * Writes the answer as a note in the forwarded conversation (or the one it was
 * merged into), with the mail's files: stored as the sender's uploads and
 * linked by the room (a file that cannot be kept is named in the note). A
 * redelivery finds the note written and stores nothing.
 */
export async function noteAnswer(
  env: Env,
  db: Db,
  answered: AnsweredForward,
  mail: { from: string; messageId: string; body: string; files: FilePlan },
): Promise<void> {
  const row = await findConversation(db, answered.forward.conversationId);
  if (!row) return;
  const conversation = await followMerges(db, row);
  const idempotencyKey = `forward-answer:${mail.messageId}`;
  const [written] = await db
    .select({ seq: timelineItems.seq })
    .from(timelineItems)
    .where(and(eq(timelineItems.conversationId, conversation.id), eq(timelineItems.idempotencyKey, idempotencyKey)))
    .limit(1);
  if (written) return;
  const who = {
    workspaceId: conversation.workspaceId,
    inboxId: conversation.inboxId,
    uploader: { type: "email" as const, id: mail.from },
  };
  const stored = await storeFiles(env.FILES, db, who, mail.files.keep);
  const dropped = [...mail.files.dropped, ...stored.dropped];
  const lost = dropped.length
    ? `\n\n(Not kept from this email: ${dropped.map((f) => f.name).join(", ")}. Ask ${mail.from} to share them another way.)`
    : "";
  await writeWithFiles(
    env.FILES,
    db,
    stored.rows,
    async () =>
      unwrap(
        await getConversationRoom(env, conversation.id).post(conversation.id, {
          kind: "note",
          body: `${mail.body}${lost}`,
          author: { type: "system", id: null, name: `${mail.from} via email` },
          idempotencyKey,
          forwarder: answered.forwarderId ?? undefined,
          attachmentIds: stored.rows.length ? stored.rows.map((r) => r.id) : undefined,
        }),
      ).item,
  );
}
