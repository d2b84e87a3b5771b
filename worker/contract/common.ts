import { z } from "zod";
import { MAX_ATTACHMENTS_PER_MESSAGE, MAX_NAME_CHARS, MAX_TEXT_CHARS, MIN_PASSWORD_CHARS } from "./limits";

export const Id = z.string().min(1).max(64);
export const Role = z.enum(["admin", "agent"]);
export const Access = z.enum(["view", "note", "reply"]);
export const Channel = z.enum(["chat", "email"]);
export const Status = z.enum(["open", "snoozed", "resolved", "spam", "merged"]);
/** The statuses an agent sets; "merged" comes only with a merge. */
export const SettableStatus = Status.exclude(["merged"]);
export const Priority = z.enum(["none", "low", "medium", "high", "urgent"]);
export const View = z.enum([
  "all",
  "mine",
  "unassigned",
  "mentioned",
  "following",
  "snoozed",
  "resolved",
  "spam",
  "breaching",
]);

export type Role = z.infer<typeof Role>;
export type Access = z.infer<typeof Access>;
export type Channel = z.infer<typeof Channel>;
export type Status = z.infer<typeof Status>;
export type SettableStatus = z.infer<typeof SettableStatus>;
export type Priority = z.infer<typeof Priority>;
export type View = z.infer<typeof View>;

/** A trimmed, non-empty line of text. */
export const Name = z.string().trim().min(1).max(MAX_NAME_CHARS);
export const Email = z.string().trim().toLowerCase().pipe(z.email().max(254));
/** Message and note bodies. */
export const Body = z
  .string()
  .max(MAX_TEXT_CHARS)
  .refine((s) => s.trim().length > 0, "must not be empty");
/** A message's text when files may carry it instead: empty is fine if `attachmentIds` has one (see `hasContent`). */
export const MessageBody = z.string().max(MAX_TEXT_CHARS).default("");
/** The uploads a message carries (`POST /api/attachments` answered their ids), each once. */
export const AttachmentIds = z
  .array(Id)
  .max(MAX_ATTACHMENTS_PER_MESSAGE)
  .refine((ids) => new Set(ids).size === ids.length, "must not name a file twice");
/** A message says something: text, or at least one file (a `.refine` on the message's schema). */
export const hasContent = (v: { body: string; attachmentIds?: string[] }) =>
  v.body.trim().length > 0 || !!v.attachmentIds?.length;
export const EMPTY_MESSAGE = {
  message: "must not be empty",
  path: ["body"],
  // Said alongside the message's other faults, whenever the body itself is text.
  when: (payload: { value: unknown }) => typeof (payload.value as { body?: unknown } | null)?.body === "string",
};
export const Password = z
  .string()
  .min(MIN_PASSWORD_CHARS, `must be at least ${MIN_PASSWORD_CHARS} characters`)
  .max(200);
