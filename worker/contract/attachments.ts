import { z } from "zod";

/** `POST /api/attachments?inboxId=…&name=…`: the raw file is the body, its type the `Content-Type` header. */
export const AgentUploadQuery = z.object({ inboxId: z.string().min(1), name: z.string().optional() });
/** `POST /api/widget/conversations/:id/attachments?name=…`. */
export const WidgetUploadQuery = z.object({ name: z.string().optional() });

/** A stored file, as uploads answer it and (later) items carry it. */
export const Attachment = z.strictObject({
  id: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  /** `/api/attachments/:id`. */
  url: z.string(),
});
export type Attachment = z.infer<typeof Attachment>;
