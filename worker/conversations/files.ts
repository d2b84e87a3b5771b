/**
 * Files a message is about to carry, checked before anything is written:
 * that they are the author's uploads and, for a reply that leaves by email,
 * within Email Service's size limit, so the agent hears it now rather than
 * from a failed email later. With `ownedOnly`, whether they are still unused
 * is left to the room, which first looks for a retry of the same message
 * (whose files it took the first time).
 */
import { attachable, filesRefused } from "../attachments/links";
import type { Author } from "../contract";
import type { Db } from "../db/client";
import type { StoredAttachment } from "../db/schema";
import { tooLargeForEmail } from "../email/outbound";
import { unwrap } from "../errors";

export async function checkFiles(
  db: Db,
  workspaceId: string,
  author: Author,
  ids: string[] | undefined,
  email?: { subject: string | null; body: string },
  ownedOnly = false,
): Promise<StoredAttachment[]> {
  if (!ids?.length) return [];
  const files = await attachable(db, workspaceId, author, ids, Date.now(), ownedOnly);
  if (typeof files === "string") return unwrap(filesRefused(files));
  const refusal = email && tooLargeForEmail({ subject: email.subject ?? "", text: email.body }, files);
  if (refusal) return unwrap(filesRefused(refusal));
  return files;
}
