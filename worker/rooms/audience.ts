/**
 * Who receives what, decided in one place. Agents get everything the room
 * says but the customer's own state; customers get their own messages and the
 * team's public replies, a bare "someone is typing", and where their
 * conversation stands (resolved, may rate) — never notes, events, drafts or
 * presence.
 */
import {
  isCustomerKind,
  type AgentFrame,
  type CustomerFrame,
  type CustomerItem,
  type CustomerState,
  type Item,
} from "../contract";
import { toCustomerItem } from "../db/queries/items";

export type Audience = "agent" | "customer";

/** A room event, before it is shaped for an audience. */
export type RoomEvent =
  /** `customer`: the item as the customer gets it when it differs from `toCustomerItem` (its files' URLs signed). */
  | { type: "item"; item: Item; customer?: CustomerItem }
  | { type: "typing"; active: boolean }
  | { type: "state"; state: CustomerState }
  /** Merged into another conversation: the customer's widget continues there. */
  | { type: "merged"; conversationId: string }
  | Exclude<AgentFrame, { type: "item" | "welcome" | "pong" | "error" }>;

/** The frame `audience` receives for `event`, or null when it must not see it. */
export function frameFor(event: RoomEvent, audience: Audience): AgentFrame | CustomerFrame | null {
  if (audience === "agent") {
    if (event.type === "typing" || event.type === "state" || event.type === "merged") return null;
    return event.type === "item" ? { type: "item", item: event.item } : event;
  }
  switch (event.type) {
    case "item":
      return isCustomerKind(event.item.kind)
        ? { type: "item", item: event.customer ?? toCustomerItem(event.item) }
        : null;
    case "typing":
    case "state":
    case "merged":
      return event;
    default:
      return null;
  }
}
