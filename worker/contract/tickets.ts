import { z } from "zod";
import { Id, Status } from "./common";
import { MAX_TEXT_CHARS, MAX_TITLE_CHARS } from "./limits";

export const TicketStatus = z.enum(["open", "in_progress", "done"]);

/** The far side of a link, as either conversation sees it. */
export const Link = z.object({
  id: Id,
  conversation: z.object({ id: Id, subject: z.string().nullable(), preview: z.string(), status: Status }).optional(),
  ticket: z.object({ id: Id, title: z.string(), status: TicketStatus }).optional(),
});

export const Ticket = z.object({
  id: Id,
  title: z.string(),
  description: z.string(),
  status: TicketStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Linked conversations the reader can see. */
  conversations: z.array(
    z.object({ id: Id, subject: z.string().nullable(), preview: z.string(), status: Status, linkId: Id }),
  ),
});

export const CreateTicketInput = z.strictObject({
  title: z.string().trim().min(1).max(MAX_TITLE_CHARS),
  description: z.string().max(MAX_TEXT_CHARS).optional(),
  conversationId: Id.optional(),
});

export const UpdateTicketInput = z
  .strictObject({
    title: z.string().trim().min(1).max(MAX_TITLE_CHARS).optional(),
    description: z.string().max(MAX_TEXT_CHARS).optional(),
    status: TicketStatus.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

export const CreateLinkInput = z.union([z.strictObject({ conversationId: Id }), z.strictObject({ ticketId: Id })]);

export type Link = z.infer<typeof Link>;
export type Ticket = z.infer<typeof Ticket>;

// Response envelopes

/** `GET /api/tickets`. */
export const Tickets = z.object({ items: z.array(Ticket) });
