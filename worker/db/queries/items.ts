import type { CustomerItem, Item } from "../../contract";
import { iso } from "../../lib/time";
import type { timelineItems } from "../schema";

export type ItemRow = typeof timelineItems.$inferSelect;

export function toItem(row: ItemRow): Item {
  const item: Item = {
    seq: row.seq,
    kind: row.kind,
    author: { type: row.authorType, id: row.authorId, name: row.authorName },
    body: row.body,
    createdAt: iso(row.createdAt),
  };
  if (row.event) item.event = row.event;
  return item;
}

/** The customer's view of an item: no ids, no author type. */
export function toCustomerItem(item: Item): CustomerItem {
  return {
    seq: item.seq,
    kind: item.kind as CustomerItem["kind"],
    body: item.body,
    author: { name: item.author.name },
    createdAt: item.createdAt,
  };
}
