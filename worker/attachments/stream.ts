/**
 * Streaming an upload into R2 without holding the whole file: bytes are
 * counted (and the first few kept for sniffing) as they pass, and the upload
 * fails the moment it grows past its cap.
 */
import { AppError } from "../errors";

/** R2's smallest multipart part (every part but the last must be this size, and all the same). */
const PART_BYTES = 5 * 1024 * 1024;

export interface Measured {
  size: number;
  head: Uint8Array;
}

/** A pass-through that counts bytes, keeps the first `headBytes`, and errors with 413 past `maxBytes`. */
export function meter(maxBytes: number, headBytes: number) {
  const seen: Measured = { size: 0, head: new Uint8Array(0) };
  const head = new Uint8Array(headBytes);
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const kept = Math.min(headBytes - seen.size, chunk.byteLength);
      if (kept > 0) head.set(chunk.subarray(0, kept), seen.size);
      seen.size += chunk.byteLength;
      seen.head = head.subarray(0, Math.min(seen.size, headBytes));
      if (seen.size > maxBytes) {
        controller.error(tooLarge(maxBytes));
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return { stream, seen };
}

export const tooLarge = (maxBytes: number) =>
  new AppError("payload_too_large", `Files are limited to ${maxBytes / 1024 / 1024} MiB`);

/**
 * Writes `body` to `key`. R2's `put` needs a stream of known length: with a
 * Content-Length the body goes through a FixedLengthStream untouched; without
 * one it is cut into 5 MiB parts of a multipart upload (a file smaller than a
 * part becomes one plain put), so at most one part is ever in memory.
 * On any failure nothing is left in the bucket.
 */
export async function putStream(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  declaredLength: number | undefined,
): Promise<R2Object> {
  if (declaredLength !== undefined) {
    const fixed = new FixedLengthStream(declaredLength);
    const [piped, put] = await Promise.allSettled([body.pipeTo(fixed.writable), bucket.put(key, fixed.readable)]);
    if (piped.status === "rejected") throw piped.reason;
    if (put.status === "rejected") throw put.reason;
    // put answers null only for a failed onlyIf, which is not given here.
    return put.value!;
  }
  return putInParts(bucket, key, body.getReader());
}

async function putInParts(bucket: R2Bucket, key: string, reader: ReadableStreamDefaultReader<Uint8Array>) {
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  const part = new Uint8Array(PART_BYTES);
  let filled = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      for (let offset = 0; offset < read.value.byteLength; ) {
        const n = Math.min(PART_BYTES - filled, read.value.byteLength - offset);
        part.set(read.value.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === PART_BYTES) {
          upload ??= await bucket.createMultipartUpload(key);
          // The part is copied out once uploadPart resolves: the one buffer is reused, never a new 5 MiB each time.
          parts.push(await upload.uploadPart(parts.length + 1, part));
          filled = 0;
        }
      }
    }
    if (!upload) return (await bucket.put(key, part.subarray(0, filled)))!;
    if (filled > 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
    return await upload.complete(parts);
  } catch (error) {
    await upload?.abort().catch(() => {});
    throw error;
  }
}
