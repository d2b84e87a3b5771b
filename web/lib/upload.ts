/**
 * Sends one file as a raw request body, reporting progress, cancellable.
 * `fetch` cannot report upload progress, so this is the one XMLHttpRequest
 * in the clients; the agent app and the widget both use it (no zod here: the
 * widget counts its bytes).
 */
import type { Attachment } from "../../worker/contract/attachments";

export interface UploadOptions {
  /** Extra headers: the widget's `Authorization: Bearer <contact token>`; the app relies on its cookie. */
  headers?: Record<string, string>;
  /** Called with the fraction sent, 0 to 1. */
  onProgress?: (fraction: number) => void;
  /** Aborting it cancels the upload; the promise then rejects with an `UploadError` whose code is "aborted". */
  signal?: AbortSignal;
}

/** A refused or failed upload: `code` is the API's error code ("payload_too_large", …), "aborted" or "network". */
export class UploadError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

/** `POST url` with the file as the body and `?name=` added; resolves with the stored file. */
export function uploadFile(
  url: string,
  file: Blob & { name?: string },
  options: UploadOptions = {},
): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const name = file.name || "file";
    xhr.open("POST", `${url}${url.includes("?") ? "&" : "?"}name=${encodeURIComponent(name)}`);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    for (const [key, value] of Object.entries(options.headers ?? {})) xhr.setRequestHeader(key, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) options.onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status >= 200 && xhr.status < 300 && body) return resolve(body as Attachment);
      const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
      reject(new UploadError(error?.code ?? "internal", error?.message ?? `Upload failed (${xhr.status})`, xhr.status));
    };
    xhr.onerror = () => reject(new UploadError("network", "The upload was interrupted: check the connection"));
    xhr.onabort = () => reject(new UploadError("aborted", "Upload cancelled"));
    if (options.signal?.aborted) return xhr.abort();
    options.signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
