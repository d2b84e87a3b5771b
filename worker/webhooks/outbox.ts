/**
 * The webhook outbox: the events a committed change causes, written in the
 * change's own D1 batch, and handed to the queue after the commit.
 *
 * An event row is written only when an enabled endpoint of the workspace
 * subscribes to its type (the INSERT … SELECT … WHERE EXISTS below, inside the
 * batch), so a workspace without webhooks pays nothing but that check.
 */
import { sql } from "drizzle-orm";
import {
  type Item,
  UPDATE_EVENTS,
  WEBHOOK_PAYLOAD_VERSION,
  type WebhookConversation,
  type WebhookEventType,
  type WebhookPayload,
} from "../contract";
import type { Db } from "../db/client";
import { selectList } from "../db/insert-select";
import { webhookEvents, webhooks } from "../db/schema";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";

export interface WebhookEventRow {
  id: string;
  workspaceId: string;
  type: WebhookEventType;
  conversationId: string;
  seq: number;
  note: boolean;
  payload: string;
  createdAt: number;
}

/** What the queue carries: an event to fan out to its endpoints, or one delivery to try (again). */
export type WebhookMessage = { event: string } | { delivery: string };

/** The conversation after the change, less what each event sets itself. */
export type ConversationAfter = Omit<WebhookConversation, "seq" | "url">;

const isUpdate = (item: Item) => !!item.event && (UPDATE_EVENTS as readonly string[]).includes(item.event.type);

/**
 * The events a change's items cause: `message.created` per message,
 * one `conversation.updated` for its field changes, `rating.created` for a
 * rating, and `conversation.created` first when it opened the conversation.
 */
export function eventsFor(
  conversation: ConversationAfter,
  workspaceId: string,
  items: readonly Item[],
  now: number,
  appUrl: string,
  opened = false,
  mergedFrom?: { id: string; subject: string | null; contact: string },
): WebhookEventRow[] {
  const out: WebhookEventRow[] = [];
  const url = `${appUrl.replace(/\/$/, "")}/conversations/${conversation.id}`;
  const add = (type: WebhookEventType, seq: number, data: Record<string, unknown>, note = false) => {
    const payload = {
      type,
      timestamp: iso(now),
      data: { version: WEBHOOK_PAYLOAD_VERSION, workspaceId, conversation: { ...conversation, seq, url }, ...data },
    } as WebhookPayload;
    const row = { id: newId("msg"), workspaceId, type, conversationId: conversation.id, seq, note, createdAt: now };
    out.push({ ...row, payload: JSON.stringify(payload) });
  };
  // A merge's copies are old news to a receiver: one event says where they went.
  if (mergedFrom) {
    const last = items.at(-1);
    if (last) add("conversation.merged", last.seq, { from: mergedFrom, items: items.length - 1 });
    return out;
  }
  if (opened && items[0]) add("conversation.created", items[0].seq, { message: items[0] });
  for (const item of items) {
    if (item.kind !== "event") add("message.created", item.seq, { message: item }, item.kind === "note");
    else if (item.event?.type === "rated") {
      add("rating.created", item.seq, { rating: { score: item.event.score, comment: item.event.comment } });
    }
  }
  const changes = items.filter(isUpdate);
  if (changes.length) add("conversation.updated", changes.at(-1)!.seq, { changes: changes.map((i) => i.event) });
  return out;
}

/** Writes the event if an enabled endpoint of the workspace wants it (a note only for those taking notes). */
export const writeIfSubscribed = (db: Db, e: WebhookEventRow) =>
  db.insert(webhookEvents).select(
    sql`SELECT ${selectList(webhookEvents, { ...e, webhookId: null, dispatchedAt: null, enqueuedAt: null })}
      WHERE EXISTS (
        SELECT 1 FROM ${webhooks} w, json_each(w.events) subscribed
        WHERE w.workspace_id = ${e.workspaceId} AND w.enabled = 1 AND subscribed.value = ${e.type}
          AND (${e.note ? 1 : 0} = 0 OR w.include_notes = 1))`,
  );

/**
 * Hands messages to the queue. Never throws: a failed send is logged and the
 * minute sweep sends the rows again (they stay undispatched), so nothing the
 * change committed is lost.
 */
export async function enqueue(queue: Queue, messages: WebhookMessage[], delaySeconds = 0): Promise<boolean> {
  if (!messages.length) return true;
  try {
    await queue.sendBatch(messages.map((body) => ({ body, contentType: "json", delaySeconds })));
    return true;
  } catch (error) {
    console.error("webhook queue send failed; the sweep will send again", error);
    return false;
  }
}
