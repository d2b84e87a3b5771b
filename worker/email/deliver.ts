/**
 * Sending what the outbox holds. A row is claimed before it is sent (its
 * lease keeps every other run away), marked sent with the Message-ID that
 * Email Service returns, and on failure retried with back-off until the last
 * try marks the reply failed, which the timeline shows with a retry. A reply
 * no try can send (its files over Email Service's size limit, or gone from
 * R2) is marked failed at the first, with the reason for the agent.
 */
import type { Db } from "../db/client";
import { claimOne, claimOutbox, markFailed, markSent, type OutboxRow } from "../db/queries/outbox";
import { mailer } from "./mailer";
import { forwardEmail } from "./forward";
import { replyEmail, Undeliverable } from "./outbound";
import { normalizeMessageId } from "./threading";

/** How long a claim keeps other runs away: far longer than one send. */
export const LEASE_MS = 5 * 60_000;
/** Tries before a reply is marked failed. */
export const MAX_ATTEMPTS = 5;
/** Wait before try n+1 after n failed: 1, 2, 4, 8 minutes. */
export const backoffMs = (attempts: number) => 60_000 * 2 ** Math.max(0, attempts - 1);

type MailEnv = Pick<Env, "EMAIL" | "EMAIL_STRICT" | "FILES" | "EMAIL_FROM" | "APP_URL">;

/** Refusals that no later try can change: the reply is marked failed at once. */
const permanent = (e: unknown) =>
  e instanceof Undeliverable ||
  (e instanceof Error && /^E_CONTENT_TOO_LARGE\b/.test(e.message)) ||
  (e as { code?: unknown } | null)?.code === "E_CONTENT_TOO_LARGE";

async function deliver(env: MailEnv, db: Db, row: OutboxRow, now: number): Promise<"sent" | "retry" | "failed"> {
  try {
    // A forward's row sends the thread to its recipients; a reply's, the reply to the customer.
    const message =
      row.kind === "forward"
        ? await forwardEmail(env, db, row.conversationId, row.seq, row.id)
        : await replyEmail(db, env.FILES, row.conversationId, row.seq);
    if (!message) throw new Error("The conversation has no email address to answer");
    const result = await mailer(env).send(message);
    const messageId = normalizeMessageId(result?.messageId);
    if (!messageId) throw new Error("Email Service returned no Message-ID");
    await markSent(db, row.id, messageId, now);
    return "sent";
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const last = row.attempts >= MAX_ATTEMPTS || permanent(e);
    console.error(`${row.kind} email failed`, row.conversationId, row.seq, `try ${row.attempts}`, error);
    await markFailed(db, row.id, error.slice(0, 500), last ? null : now + backoffMs(row.attempts));
    return last ? "failed" : "retry";
  }
}

/** Sends one queued reply now, if no one else has it; the sweep retries what fails. */
export async function sendQueuedReply(env: MailEnv, db: Db, id: string, now = Date.now()): Promise<void> {
  const row = await claimOne(db, id, now, LEASE_MS);
  if (row) await deliver(env, db, row, now);
}

/** The sweep's part: claims at most `limit` due replies and sends them. */
export async function sendDueReplies(env: MailEnv, db: Db, now: number, limit: number) {
  const rows = await claimOutbox(db, now, limit, LEASE_MS);
  const counts = { claimed: rows.length, sent: 0, retry: 0, failed: 0 };
  for (const row of rows) counts[await deliver(env, db, row, now)]++;
  return counts;
}
