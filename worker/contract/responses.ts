/**
 * Response envelopes: the shapes the API answers with around its resources
 * (lists, pages, counts). Declared once here, so the web client parses what
 * the worker sends with the same schemas. (`Timeline` and the generic `Page`
 * live with the conversations.)
 */
import { z } from "zod";
import { InboxAccess, Preferences, User } from "./auth";
import { Item, Page, SearchHit, Summary } from "./conversations";
import { Inbox } from "./inboxes";
import { Rule } from "./rules";
import { Notification, SavedReply, Tag, Team } from "./team";
import { Ticket } from "./tickets";

const count = z.number().int().nonnegative();

/** `GET /api/conversations`: one page of a list view. */
export const ConversationPage = Page(Summary);
/** `GET /api/users`. */
export const UserList = z.object({ items: z.array(User) });
/** `PATCH /api/me`. */
export const UpdatedMe = z.object({ user: User, preferences: Preferences });
/** `GET /api/inboxes`. */
export const InboxList = z.object({ items: z.array(Inbox) });
/** `GET /api/inboxes/:id/access`. */
export const InboxAccessList = z.object({ items: z.array(InboxAccess) });
/** `GET /api/teams`. */
export const TeamList = z.object({ items: z.array(Team) });
/** `GET /api/tags`. */
export const TagList = z.object({ items: z.array(Tag) });
/** `GET /api/saved-replies`. */
export const SavedReplyList = z.object({ items: z.array(SavedReply) });
/** `GET /api/notifications`: the newest notifications and how many are unread in all. */
export const NotificationList = z.object({ items: z.array(Notification), unreadCount: count });
/** `POST /api/notifications/read`. */
export const UnreadCount = z.object({ unreadCount: count });
/** `GET /api/search`: hits, best first. */
export const SearchResults = z.object({ items: z.array(SearchHit) });
/** `GET /api/inboxes/:id/rules`, in the order they run. */
export const RuleList = z.object({ items: z.array(Rule) });
/** `GET /api/tickets`. */
export const TicketList = z.object({ items: z.array(Ticket) });
/** The `details` of a 409 `collision`: the items newer than the reply's `lastSeenSeq`. */
export const CollisionDetails = z.object({ newer: z.array(Item) });

export type ConversationPage = z.infer<typeof ConversationPage>;
export type UserList = z.infer<typeof UserList>;
export type UpdatedMe = z.infer<typeof UpdatedMe>;
export type InboxList = z.infer<typeof InboxList>;
export type InboxAccessList = z.infer<typeof InboxAccessList>;
export type TeamList = z.infer<typeof TeamList>;
export type TagList = z.infer<typeof TagList>;
export type SavedReplyList = z.infer<typeof SavedReplyList>;
export type NotificationList = z.infer<typeof NotificationList>;
export type UnreadCount = z.infer<typeof UnreadCount>;
export type SearchResults = z.infer<typeof SearchResults>;
export type RuleList = z.infer<typeof RuleList>;
export type TicketList = z.infer<typeof TicketList>;
export type CollisionDetails = z.infer<typeof CollisionDetails>;
