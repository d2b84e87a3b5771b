/** Conversations: the lists, one conversation and its thread, messages, and the changes agents make. */
import {
  BulkResults,
  Conversation,
  ConversationPage,
  EmailDeliveries,
  EmailDelivery,
  ForwardRecipients,
  Item,
  Timeline,
  type BulkInput,
  type ForwardInput,
  type PostMessageInput,
  type StartConversationInput,
  type UpdateConversationInput,
  type View,
} from "../../../worker/contract";
import type { z } from "zod";
import { enc, query, request } from "./client";

const path = (id: string) => `/api/conversations/${enc(id)}`;

export const conversationsApi = {
  conversations: (q: { view: View; inboxId?: string; cursor?: string | null; limit?: number }) =>
    request("GET", `/api/conversations${query(q)}`, ConversationPage),
  startConversation: (input: StartConversationInput) =>
    request("POST", "/api/conversations", Conversation, { body: input }),
  conversation: (id: string) => request("GET", path(id), Conversation),
  timeline: (id: string, after: number) => request("GET", `${path(id)}/timeline${query({ after })}`, Timeline),
  postMessage: (id: string, input: PostMessageInput, idempotencyKey: string) =>
    request("POST", `${path(id)}/messages`, Item, {
      body: input,
      headers: { "Idempotency-Key": idempotencyKey },
    }),
  /** Forwards the thread by email; answers the `forwarded` event. */
  forward: (id: string, input: z.input<typeof ForwardInput>, idempotencyKey: string) =>
    request("POST", `${path(id)}/forward`, Item, { body: input, headers: { "Idempotency-Key": idempotencyKey } }),
  /** Earlier forward recipients matching `q`, for the forward dialog's suggestions. */
  forwardRecipients: (q: string) =>
    request("GET", `/api/conversations/forward-recipients${query({ q })}`, ForwardRecipients),
  /** How the conversation's emailed replies went: the timeline marks failed ones. */
  emailDeliveries: (id: string) => request("GET", `${path(id)}/email-deliveries`, EmailDeliveries),
  /** Sends a reply whose email failed once more. */
  retryEmail: (id: string, seq: number) =>
    request("POST", `${path(id)}/messages/${seq}/retry-email`, EmailDelivery, { body: {} }),
  updateConversation: (id: string, input: UpdateConversationInput) =>
    request("PATCH", path(id), Conversation, { body: input }),
  /** Snooze (or re-time a snooze) until `until` (ms); a past time is refused by the server. */
  snooze: (id: string, until: number) =>
    request("PATCH", path(id), Conversation, {
      body: { status: "snoozed", snoozedUntil: new Date(until).toISOString() },
    }),
  setStatus: (id: string, status: "open" | "resolved" | "spam") =>
    request("PATCH", path(id), Conversation, { body: { status } }),
  /** One change for up to 100 conversations; each id answers for itself (a refused one wrote nothing). */
  bulk: (input: BulkInput) => request("POST", "/api/conversations/bulk", BulkResults, { body: input }),
  /** Merge into another conversation of the same customer (reply access on both); answers the target. */
  merge: (id: string, intoConversationId: string) =>
    request("POST", `${path(id)}/merge`, Conversation, { body: { intoConversationId } }),
  /** Move to another inbox (reply access on both); an assignee who can't reply there is released. */
  move: (id: string, inboxId: string) => request("PATCH", path(id), Conversation, { body: { inboxId } }),

  addFollower: (id: string, userId: string) =>
    request("POST", `${path(id)}/followers`, Conversation, { body: { userId } }),
  /** 204: read the conversation again for its new followers. */
  removeFollower: (id: string, userId: string) => request("DELETE", `${path(id)}/followers/${enc(userId)}`, null),
  setTags: (id: string, tags: string[]) => request("PUT", `${path(id)}/tags`, Conversation, { body: { tags } }),

  /** Link a conversation to a ticket or to another conversation; answers the conversation with its links. */
  link: (id: string, target: { ticketId: string } | { conversationId: string }) =>
    request("POST", `${path(id)}/links`, Conversation, { body: target }),
  /** 204: read the conversation again for its links. */
  unlink: (id: string, linkId: string) => request("DELETE", `${path(id)}/links/${enc(linkId)}`, null),
};
