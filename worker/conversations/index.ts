/**
 * The conversation service: the one place that starts a conversation, finds
 * one for an actor (access-checked), shapes its views, and checks an agent's
 * changes before the conversation's room writes them. Routes call it and
 * stay thin: parse, call, shape.
 */
export { autoAssign } from "./auto-assign";
export { bulkChange } from "./bulk";
export { postMessage, retryEmail, setFollower, setTags, updateConversation } from "./changes";
export {
  contactForToken,
  customerConversation,
  customerStateOf,
  postFromCustomer,
  rateConversation,
  startFromWidget,
  verifiedUserId,
  widgetInbox,
} from "./customer";
export { authorOf, conversationFor, conversationView } from "./find";
export { inboxToStartIn, type NewConversation, startByAgent, startConversation } from "./start";
