/** Files for the attachments tests: a real PNG's first bytes, text as bytes, and an agent's upload. */
import { type As, call } from "./helpers";

export const PNG = new Uint8Array([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 1, 2, 3, 4,
]);
export const bytes = (text: string) => new TextEncoder().encode(text);

/** `POST /api/attachments` as `as`: the raw file as the body, its type as the Content-Type. */
export function upload(as: As, inboxId: string, body: Uint8Array | ReadableStream, name: string, type: string) {
  const path = `/api/attachments?inboxId=${inboxId}&name=${encodeURIComponent(name)}` as const;
  return call(as, path, { body, headers: { "content-type": type } });
}
