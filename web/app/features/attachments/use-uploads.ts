/**
 * The files an agent is attaching to a message: each uploads at once (with
 * progress, cancellable), and the message is sent with the ids of those that
 * finished. Limits are checked here before any byte is sent, so the agent
 * hears about a file that is too large or one file too many right away.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Attachment } from "../../../../worker/contract";
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE } from "../../../../worker/contract";
import { UploadError, uploadFile } from "../../../lib/upload";
import { isInlineImage, MAX_FILE_SIZE_LABEL } from "./files";

export type UploadStatus = "uploading" | "done" | "failed";

/** One file on its way to (or in) storage. */
export interface Upload {
  key: string;
  name: string;
  size: number;
  type: string;
  status: UploadStatus;
  /** 0 to 1 while uploading. */
  progress: number;
  attachment?: Attachment;
  error?: string;
  /** A failure a second try may fix (not a refused size or type). */
  retryable?: boolean;
  /** An object URL of an image's own bytes, for the chip's little preview. */
  preview?: string;
}

export interface Uploads {
  list: Upload[];
  /** The stored files' ids, in the order they were added. */
  ids: string[];
  uploading: boolean;
  failed: boolean;
  /** What the last change was, for the composer's polite live region. */
  announcement: string;
  /** Files that could not even be added (one too many), as a sentence; null when none. */
  refused: string | null;
  add(files: File[]): void;
  /** Cancels the file's upload if it is still running, and drops it. */
  remove(key: string): void;
  retry(key: string): void;
  /** Forget the files whose ids went out with a message (files added meanwhile stay). */
  sent(ids: readonly string[]): void;
}

let counter = 0;

/** Uploads for a message in inbox `inboxId`; all are cancelled and forgotten when `scope` changes (another conversation). */
export function useUploads(inboxId: string, scope: string): Uploads {
  const [list, setList] = useState<Upload[]>([]);
  const [announcement, setAnnouncement] = useState("");
  const [refused, setRefused] = useState<string | null>(null);
  const running = useRef(new Map<string, AbortController>());
  const files = useRef(new Map<string, File>());
  const current = useRef(list);
  current.current = list;

  const patch = (key: string, change: Partial<Upload>) =>
    setList((l) => l.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const previews = useRef(new Map<string, string>());
  const forget = (key: string) => {
    running.current.get(key)?.abort();
    running.current.delete(key);
    files.current.delete(key);
    const preview = previews.current.get(key);
    if (preview) URL.revokeObjectURL(preview);
    previews.current.delete(key);
  };
  const cancelAll = () => {
    for (const key of new Set([...running.current.keys(), ...files.current.keys(), ...previews.current.keys()]))
      forget(key);
  };

  useEffect(() => {
    setList([]);
    setRefused(null);
    setAnnouncement("");
    return cancelAll;
  }, [scope]);

  const start = (key: string, file: File) => {
    const controller = new AbortController();
    running.current.set(key, controller);
    patch(key, { status: "uploading", progress: 0, error: undefined });
    uploadFile(`/api/attachments?inboxId=${encodeURIComponent(inboxId)}`, file, {
      signal: controller.signal,
      onProgress: (progress) => patch(key, { progress }),
    })
      .then((attachment) => {
        if (running.current.get(key) !== controller) return;
        running.current.delete(key);
        patch(key, { status: "done", progress: 1, attachment });
        setAnnouncement(`${file.name} uploaded`);
      })
      .catch((error: unknown) => {
        if (running.current.get(key) !== controller) return; // removed or the conversation changed
        running.current.delete(key);
        const code = error instanceof UploadError ? error.code : "internal";
        const message =
          code === "payload_too_large"
            ? `Larger than ${MAX_FILE_SIZE_LABEL}`
            : error instanceof Error
              ? error.message
              : "Upload failed";
        patch(key, { status: "failed", error: message, retryable: code !== "payload_too_large" });
        setAnnouncement(`${file.name} failed to upload: ${message}`);
      });
  };

  const add = (incoming: File[]) => {
    if (incoming.length === 0) return;
    const kept = current.current.filter((u) => u.status !== "failed").length;
    const room = Math.max(0, MAX_ATTACHMENTS_PER_MESSAGE - kept);
    const taken = incoming.slice(0, room);
    const left = incoming.length - taken.length;
    setRefused(
      left > 0
        ? `A message can carry at most ${MAX_ATTACHMENTS_PER_MESSAGE} files: ${left === 1 ? "1 file was" : `${left} files were`} not added.`
        : null,
    );
    const added: Upload[] = taken.map((file) => {
      const key = `upload-${++counter}`;
      const upload: Upload = {
        key,
        name: file.name || "file",
        size: file.size,
        type: file.type,
        status: "uploading",
        progress: 0,
      };
      if (file.size > MAX_ATTACHMENT_BYTES)
        return { ...upload, status: "failed", error: `Larger than ${MAX_FILE_SIZE_LABEL}`, retryable: false };
      files.current.set(key, file);
      if (!isInlineImage(file.type)) return upload;
      const preview = URL.createObjectURL(file);
      previews.current.set(key, preview);
      return { ...upload, preview };
    });
    setList((l) => [...l, ...added]);
    for (const u of added) {
      const file = files.current.get(u.key);
      if (file && u.status === "uploading") start(u.key, file);
    }
    const tooLarge = added.filter((u) => u.status === "failed").map((u) => u.name);
    const names = added.filter((u) => u.status === "uploading").map((u) => u.name);
    // One file too many is said by the refusal's own alert, not here as well.
    setAnnouncement(
      [
        names.length > 0 && `Uploading ${names.join(", ")}`,
        tooLarge.length > 0 &&
          `${tooLarge.join(", ")} ${tooLarge.length === 1 ? "is" : "are"} larger than ${MAX_FILE_SIZE_LABEL}`,
      ]
        .filter(Boolean)
        .join(". "),
    );
  };

  const remove = (key: string) => {
    const upload = current.current.find((u) => u.key === key);
    forget(key);
    setList((l) => l.filter((u) => u.key !== key));
    setRefused(null);
    if (upload) setAnnouncement(`${upload.name} ${upload.status === "uploading" ? "cancelled" : "removed"}`);
  };

  const retry = (key: string) => {
    const file = files.current.get(key);
    if (!file) return;
    start(key, file);
    setAnnouncement(`Uploading ${file.name} again`);
  };

  const sent = (ids: readonly string[]) => {
    const gone = current.current.filter((u) => u.attachment && ids.includes(u.attachment.id));
    for (const u of gone) forget(u.key);
    setList((l) => l.filter((u) => !(u.attachment && ids.includes(u.attachment.id))));
    setRefused(null);
  };

  return {
    list,
    ids: list.flatMap((u) => (u.status === "done" && u.attachment ? [u.attachment.id] : [])),
    uploading: list.some((u) => u.status === "uploading"),
    failed: list.some((u) => u.status === "failed"),
    announcement,
    refused,
    add,
    remove,
    retry,
    sent,
  };
}
