import type { CustomerItem, Item, TimelineEvent } from "../../contract";
import { agentAttachments } from "../../attachments/links";
import { iso } from "../../lib/time";
import type { timelineItems } from "../schema";

export type ItemRow = typeof timelineItems.$inferSelect;

/** Whether the reader may see the conversation with this id (its subject, its id) in a link event. */
export type SeesConversation = (conversationId: string) => boolean;

/**
 * An item as one reader gets it. A link event names another conversation; unless `sees` says the reader
 * can open it, that conversation is left out, so its subject never reaches someone outside its inbox.
 */
export function toItemFor(row: ItemRow, sees: SeesConversation): Item {
  const item: Item = {
    seq: row.seq,
    kind: row.kind,
    author: { type: row.authorType, id: row.authorId, name: row.authorName },
    body: row.body,
    createdAt: iso(row.createdAt),
  };
  if (row.event) item.event = withVisibleLinks(row.event, sees);
  if (row.attachments?.length) item.attachments = agentAttachments(row.attachments);
  return item;
}

/** An item for any reader (broadcasts, replays): every conversation a link event names is left out. */
export const toItem = (row: ItemRow): Item => toItemFor(row, () => false);

function withVisibleLinks(event: TimelineEvent, sees: SeesConversation): TimelineEvent {
  if ((event.type !== "linked" && event.type !== "unlinked") || !event.conversation) return event;
  if (sees(event.conversation.id)) return event;
  const { conversation: _, ...rest } = event;
  return rest;
}

/** The conversations named by the link events among `rows`: what a reader's visibility is looked up for. */
export function linkedConversationIds(rows: ItemRow[]): string[] {
  const ids = new Set<string>();
  for (const { event } of rows) {
    if ((event?.type === "linked" || event?.type === "unlinked") && event.conversation) ids.add(event.conversation.id);
  }
  return [...ids];
}

/**
 * The customer's view of an item: no ids, no author type. Its files keep the
 * agents' URLs until `signedForCustomer` (attachments/links.ts) signs them.
 */
export function toCustomerItem(item: Item): CustomerItem {
  const out: CustomerItem = {
    seq: item.seq,
    kind: item.kind as CustomerItem["kind"],
    body: item.body,
    author: { name: item.author.name },
    createdAt: item.createdAt,
  };
  if (item.attachments?.length) out.attachments = item.attachments;
  return out;
}
