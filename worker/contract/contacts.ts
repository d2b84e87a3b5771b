/** Contacts (SPEC §6.5): the people conversations are with, their profile and their merge. */
import { z } from "zod";
import { Email, Id, Name } from "./common";
import { Summary } from "./conversations";
import { PAGE_SIZES } from "./limits";

/** The most attributes a contact keeps (the widget sends a handful). */
export const MAX_CONTACT_ATTRIBUTES = 50;

export const ContactAttributes = z
  .record(z.string().trim().min(1).max(64), z.string().max(500))
  .refine((a) => Object.keys(a).length <= MAX_CONTACT_ATTRIBUTES, {
    message: `at most ${MAX_CONTACT_ATTRIBUTES} attributes`,
  });

export const ContactsQuery = z.strictObject({
  /** A prefix of the name or the email, any case. */
  q: z.string().trim().max(200).optional(),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZES.contacts.max).default(PAGE_SIZES.contacts.default),
});
export type ContactsQuery = z.infer<typeof ContactsQuery>;

/** A row of the Contacts page: counts only what the reader may see. */
export const ContactListItem = z.object({
  id: Id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  blocked: z.boolean(),
  /** Their conversations in inboxes the reader sees. */
  conversationCount: z.number().int().nonnegative(),
});
export type ContactListItem = z.infer<typeof ContactListItem>;

export const Contacts = z.object({ items: z.array(ContactListItem), nextCursor: z.string().nullable() });
export type Contacts = z.infer<typeof Contacts>;

export const ContactProfileQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_SIZES.contactConversations.max)
    .default(PAGE_SIZES.contactConversations.default),
});
export type ContactProfileQuery = z.infer<typeof ContactProfileQuery>;

export const Contact = z.object({
  id: Id,
  name: z.string().nullable(),
  email: z.string().nullable(),
  /** False when the address was only typed into the widget. */
  emailVerified: z.boolean(),
  attributes: z.record(z.string(), z.string()),
  tags: z.array(z.string()),
  /** Their new widget messages and emails are refused and create nothing. */
  blocked: z.boolean(),
  createdAt: z.string(),
  /** Other contacts with the same email the reader may see: candidates for a merge. */
  duplicates: z.array(z.object({ id: Id, name: z.string().nullable(), email: z.string().nullable() })),
  /** Their conversations in inboxes the reader sees, newest activity first. */
  conversations: z.array(Summary),
  nextCursor: z.string().nullable(),
  /** Whether the reader may edit, block and merge them (reply access where they have conversations). */
  canEdit: z.boolean(),
});
export type Contact = z.infer<typeof Contact>;

export const UpdateContactInput = z
  .strictObject({
    name: Name.nullable().optional(),
    email: Email.nullable().optional(),
    attributes: ContactAttributes.optional(),
    blocked: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "Change at least one field" });
export type UpdateContactInput = z.infer<typeof UpdateContactInput>;

export const MergeContactInput = z.strictObject({ intoContactId: Id });
export type MergeContactInput = z.infer<typeof MergeContactInput>;

/** A merge's answer: the target's profile, and how many conversations still wait to move (ask again). */
export const ContactMerged = z.object({ contact: Contact, remaining: z.number().int().nonnegative() });
export type ContactMerged = z.infer<typeof ContactMerged>;
