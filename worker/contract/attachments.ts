import { z } from "zod";

/** `POST /api/attachments?inboxId=…&name=…`: the raw file is the body, its type the `Content-Type` header. */
export const AgentUploadQuery = z.object({ inboxId: z.string().min(1), name: z.string().optional() });
/** `POST /api/widget/conversations/:id/attachments?name=…`. */
export const WidgetUploadQuery = z.object({ name: z.string().optional() });

/**
 * A stored file, as uploads answer it and items carry it. `url` downloads it:
 * `/api/attachments/:id` for agents (their session or token), and for the
 * customer a short-lived signed URL (`?exp=…&sig=…`) that works without
 * credentials, for the widget's `<img>` tags.
 */
export const Attachment = z.strictObject({
  id: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  url: z.string(),
});
export type Attachment = z.infer<typeof Attachment>;
