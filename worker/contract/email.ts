import { z } from "zod";

/** Where a reply that leaves by email stands: queued (or being retried), sent, or failed after its last try. */
export const EmailDeliveryStatus = z.enum(["pending", "sent", "failed"]);

/** The delivery of one emailed reply, by its item's seq. */
export const EmailDelivery = z.object({
  seq: z.number().int(),
  status: EmailDeliveryStatus,
  attempts: z.number().int(),
  error: z.string().nullable(),
});
export type EmailDelivery = z.infer<typeof EmailDelivery>;

/** A conversation's emailed replies and how each went; the timeline marks the failed ones with a retry. */
export const EmailDeliveries = z.object({ items: z.array(EmailDelivery) });
