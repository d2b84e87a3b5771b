/**
 * The names the web client reads the API's response envelopes by (lists,
 * pages, counts). Each envelope is declared once, beside its resource; these
 * are those declarations under the names the client's API modules use.
 */
export { Users as UserList } from "./auth";
export {
  Collision as CollisionDetails,
  Conversations as ConversationPage,
  SearchHits as SearchResults,
} from "./conversations";
export { Inboxes as InboxList } from "./inboxes";
export { Rules as RuleList } from "./rules";
export {
  Notifications as NotificationList,
  SavedReplies as SavedReplyList,
  Tags as TagList,
  Teams as TeamList,
} from "./team";
export { Tickets as TicketList } from "./tickets";
