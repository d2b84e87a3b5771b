/** The WebSocket protocol (JSON text frames), shared by the rooms, the hub and the clients. */
import { z } from "zod";
import { Id, Priority, View } from "./common";
import { MAX_TAG_CHARS, MAX_TEXT_CHARS } from "./limits";
import { Item, Summary } from "./conversations";
import { CustomerItem, CustomerState } from "./widget";

export const PresenceState = z.enum(["viewing", "typing"]);
export type PresenceState = z.infer<typeof PresenceState>;

/** What an agent is typing: a reply the customer will read, or an internal note. */
export const TypingKind = z.enum(["reply", "note"]);
export type TypingKind = z.infer<typeof TypingKind>;

export const Viewer = z.object({ userId: z.string(), name: z.string(), state: PresenceState });
export type Viewer = z.infer<typeof Viewer>;

export const Draft = z.object({ userId: z.string(), name: z.string(), body: z.string() });
export type Draft = z.infer<typeof Draft>;

/** Longest draft streamed to other agents: the composer's body limit. */
export const MAX_DRAFT_CHARS = MAX_TEXT_CHARS;

/** The heartbeat frame: answered by the runtime itself, so an idle room can sleep. */
export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

/** Frames a client sends to a conversation room. */
export const ClientFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), lastSeq: z.number().int().min(0).default(0) }),
  /** `kind`: what the agent is typing; only a reply shows the customer that someone is typing. */
  z.object({ type: z.literal("presence"), state: PresenceState, kind: TypingKind.optional() }),
  z.object({ type: z.literal("draft"), body: z.string().max(MAX_DRAFT_CHARS) }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

const ErrorFrame = z.object({ type: z.literal("error"), code: z.string(), message: z.string() });

/** Frames a conversation room sends to agents. */
export const AgentFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("welcome"), viewers: z.array(Viewer), drafts: z.array(Draft), lastSeq: z.number().int() }),
  z.object({ type: z.literal("presence"), viewers: z.array(Viewer) }),
  z.object({ type: z.literal("draft"), userId: z.string(), body: z.string() }),
  /**
   * In a large room, the drafts that changed since the last such frame, one
   * frame for all typists (at most one per DRAFT_FRAME_MS): each entry as a `draft` frame.
   */
  z.object({ type: z.literal("drafts"), drafts: z.array(z.object({ userId: z.string(), body: z.string() })) }),
  z.object({ type: z.literal("item"), item: Item }),
  // The full Conversation; typed loosely here to keep the union light.
  z.object({ type: z.literal("conversation"), conversation: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal("pong") }),
  ErrorFrame,
]);
export type AgentFrame = z.infer<typeof AgentFrame>;

/** Frames a conversation room sends to the customer's widget. */
export const CustomerFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("welcome"), lastSeq: z.number().int() }),
  z.object({ type: z.literal("item"), item: CustomerItem }),
  z.object({ type: z.literal("typing"), active: z.boolean() }),
  /** The conversation was resolved or reopened, or rated: what the widget should offer now. */
  z.object({ type: z.literal("state"), state: CustomerState }),
  /** The team merged this conversation into another: the thread continues there (the socket closes next). */
  z.object({ type: z.literal("merged"), conversationId: z.string() }),
  z.object({ type: z.literal("pong") }),
  ErrorFrame,
]);
export type CustomerFrame = z.infer<typeof CustomerFrame>;

/** Most conversation ids one list socket may watch: a few pages of rows and the open conversation. */
export const MAX_WATCHED_IDS = 500;

/** The list a client shows: a view and its filters, as `GET /api/conversations` takes them. */
export const ListWatchFilter = z.object({
  view: View,
  inboxId: Id.nullish(),
  assigneeId: Id.nullish(),
  teamId: Id.nullish(),
  tag: z.string().max(MAX_TAG_CHARS).nullish(),
  priority: Priority.nullish(),
});
export type ListWatchFilter = z.infer<typeof ListWatchFilter>;

/**
 * Frames a client sends on the list stream. `watch` is optional: it says what
 * the client shows (the list, or none, and the ids of the rows on screen and
 * of an open conversation), and from then on the stream carries conversation
 * changes only for those ids or for rows that belong in the list, and presence
 * only for those ids. Without it the stream carries every change the agent may see.
 */
export const ListClientFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("watch"),
    filter: ListWatchFilter.nullable(),
    ids: z.array(Id).max(MAX_WATCHED_IDS),
  }),
  z.object({ type: z.literal("ping") }),
]);
export type ListClientFrame = z.infer<typeof ListClientFrame>;

/** Frames of the list stream `/api/live`. */
export const ListFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("conversation"), conversation: Summary }),
  /** The conversation left the agent's sight (moved to an inbox they cannot see). */
  z.object({ type: z.literal("conversation_removed"), conversationId: z.string() }),
  z.object({ type: z.literal("presence"), conversationId: z.string(), viewers: z.array(Viewer) }),
  /** An admin deleted a tag or a team: it is gone from every conversation that had it. */
  z.object({ type: z.literal("tag_deleted"), tag: z.string() }),
  z.object({ type: z.literal("team_deleted"), teamId: z.string() }),
  z.object({ type: z.literal("notification"), notification: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal("pong") }),
  ErrorFrame,
]);
export type ListFrame = z.infer<typeof ListFrame>;
