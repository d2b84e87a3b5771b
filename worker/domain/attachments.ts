/**
 * Pure rules for attachments: what a file may be called, what type it is
 * served as, and whether a browser may show it inline.
 */
import { MAX_FILE_NAME_CHARS } from "../contract";

const OCTET_STREAM = "application/octet-stream";

/** Bytes of a file's head that `sniffedType` looks at. */
export const SNIFF_BYTES = 16;

const ascii = (s: string) => Array.from(s, (ch) => ch.charCodeAt(0));
const startsWith = (head: Uint8Array, magic: number[], at = 0) => magic.every((b, i) => head[at + i] === b);

/** The types shown inline, each with the check its first bytes must pass. SVG is never among them (it runs script). */
const INLINE_TYPES: Record<string, (head: Uint8Array) => boolean> = {
  "image/png": (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "image/jpeg": (h) => startsWith(h, [0xff, 0xd8, 0xff]),
  "image/gif": (h) => startsWith(h, ascii("GIF87a")) || startsWith(h, ascii("GIF89a")),
  "image/webp": (h) => startsWith(h, ascii("RIFF")) && startsWith(h, ascii("WEBP"), 8),
};

/** A file name without its path, control characters or surrounding dots and spaces, at most 200 chars; "file" when nothing is left. */
export function sanitiseName(raw: string | undefined): string {
  const base = (raw ?? "").split(/[/\\]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "").trim();
  const trimmed = clean.replace(/^\.+/, "").trim();
  return Array.from(trimmed).slice(0, MAX_FILE_NAME_CHARS).join("") || "file";
}

/**
 * The type a file is stored and served as: the claimed `Content-Type` without
 * parameters, except that a claimed inline image whose first bytes disagree
 * (and anything malformed) becomes `application/octet-stream`.
 */
export function sniffedType(claimed: string | undefined, head: Uint8Array): string {
  const type = (claimed ?? "").split(";")[0]!.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return OCTET_STREAM;
  const check = INLINE_TYPES[type];
  return check && !check(head) ? OCTET_STREAM : type;
}

/** Whether a stored type may be shown inline: only the image types whose bytes were checked on upload. */
export function isInline(contentType: string): boolean {
  return contentType in INLINE_TYPES;
}

/** `Content-Disposition` for a download: RFC 5987 encoding, so any name is safe in the header. */
export function contentDisposition(contentType: string, name: string): string {
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${isInline(contentType) ? "inline" : "attachment"}; filename*=UTF-8''${encoded}`;
}
