/** Pure helpers about files for the agent app: sizes people read, pasted screenshots' names, what shows inline. */
import { MAX_ATTACHMENT_BYTES } from "../../../../worker/contract";

/** "840 B", "12 KB", "3.4 MB": binary units, as the 25 MB limit is counted. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const kb = bytes / 1024;
  if (kb < 1024) return `${kb < 10 ? kb.toFixed(1) : Math.round(kb)} KB`;
  const mb = kb / 1024;
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

/** The largest file, as people read it ("25 MB"). */
export const MAX_FILE_SIZE_LABEL = humanSize(MAX_ATTACHMENT_BYTES);

/** The types the server shows inline (after checking their first bytes); everything else downloads. SVG never shows inline. */
const INLINE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
export const isInlineImage = (contentType: string) => INLINE_TYPES.has(contentType.toLowerCase().split(";")[0]!.trim());

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
};
const pad = (n: number) => String(n).padStart(2, "0");

/** A pasted image's name, from the local time it was pasted: "Screenshot 2026-11-26 11.30.png". */
export function screenshotName(type: string, at = new Date()): string {
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  return `Screenshot ${day} ${pad(at.getHours())}.${pad(at.getMinutes())}.${EXTENSIONS[type] ?? "png"}`;
}

/**
 * The image files pasted from the clipboard, renamed as screenshots; none when
 * the clipboard also holds text (copying from a document or a spreadsheet
 * carries a picture of it too, and the agent wants the text).
 */
export function pastedImages(data: DataTransfer | null): File[] {
  if (!data || data.types.includes("text/plain")) return [];
  const at = new Date();
  return [...data.files]
    .filter((f) => f.type.startsWith("image/"))
    .map((f) => new File([f], screenshotName(f.type, at), { type: f.type, lastModified: at.getTime() }));
}

/** Whether a drag carries files (not text or a link dragged from the page). */
export const dragHasFiles = (e: DragEvent) => !!e.dataTransfer?.types.includes("Files");
