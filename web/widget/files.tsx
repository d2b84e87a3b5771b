/**
 * Files in the widget: the visitor's uploads waiting in the composer (each
 * with its progress and a cancel button), and the files of the thread's
 * messages (pictures inline, anything else a download chip).
 */
import { useState } from "preact/hooks";
import type { Attachment } from "../../worker/contract/attachments";
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE } from "../../worker/contract/limits";
import type { UploadError, UploadOptions } from "../lib/upload";

/** What the server shows inline (it checks the first bytes too); anything else is a download. */
const INLINE = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** 1536 → "1.5 KB". */
export function fileSize(bytes: number): string {
  const units = ["B", "KB", "MB"];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < 2) {
    n /= 1024;
    i++;
  }
  return `${i && n < 10 ? n.toFixed(1).replace(/\.0$/, "") : Math.round(n)} ${units[i]}`;
}

const LIMIT = `Files can be up to ${fileSize(MAX_ATTACHMENT_BYTES)}.`;

/**
 * One file in the composer: waiting for the chat to start (`blob`), uploading
 * (`progress`), uploaded (`file`) or refused (`error`).
 */
export interface Draft {
  key: number;
  name: string;
  size: number;
  progress: number;
  blob?: File;
  file?: Attachment;
  error?: string;
  abort: AbortController;
}

export type Upload = (file: File, options: UploadOptions) => Promise<Attachment>;

/** What the visitor reads when an upload is refused. */
function refusal(e: UploadError): string {
  if (e.status === 413 || e.code === "payload_too_large") return `Too large. ${LIMIT}`;
  if (e.status === 429) return "Too many uploads just now: please try again in a few minutes.";
  return e.message || "Upload failed";
}

let nextKey = 1;

/**
 * The composer's files: `add` starts their uploads (or, `later`, keeps them
 * until `start`: uploads need the conversation the first message starts);
 * `status` says what happened, for the live region.
 */
export function useDrafts(upload: Upload | undefined) {
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [status, setStatus] = useState("");
  /** Said on screen: more files than a message takes, or files waiting for the first message. */
  const [notice, setNotice] = useState("");
  const update = (key: number, patch: Partial<Draft>) =>
    setDrafts((all) => all.map((d) => (d.key === key ? { ...d, ...patch } : d)));

  const begin = (d: Draft, f: File) =>
    upload?.(f, { signal: d.abort.signal, onProgress: (progress) => update(d.key, { progress }) }).then(
      (file) => {
        update(d.key, { file, progress: 1 });
        setStatus(`${d.name} uploaded`);
      },
      (e: UploadError) => {
        if (e.code === "aborted") return;
        const error = refusal(e);
        update(d.key, { error });
        setStatus(`${d.name}: ${error}`);
      },
    );

  const add = (files: File[], later: boolean) => {
    if (!upload || !files.length) return;
    const room = MAX_ATTACHMENTS_PER_MESSAGE - drafts.filter((d) => !d.error).length;
    const taken = files.slice(0, Math.max(0, room));
    const added = taken.map((f): Draft => {
      const d: Draft = {
        key: nextKey++,
        name: f.name || "file",
        size: f.size,
        progress: 0,
        abort: new AbortController(),
      };
      if (f.size > MAX_ATTACHMENT_BYTES) return { ...d, error: `Too large. ${LIMIT}` };
      if (later) return { ...d, blob: f };
      begin(d, f);
      return d;
    });
    setDrafts((all) => [...all, ...added]);
    const refused = added.find((d) => d.error);
    const ok = added.length - added.filter((d) => d.error).length;
    setNotice(
      taken.length < files.length ? `You can send up to ${MAX_ATTACHMENTS_PER_MESSAGE} files in one message.` : "",
    );
    setStatus(
      [
        refused && `${refused.name}: ${refused.error}`,
        ok && `${later ? "Added" : "Uploading"} ${ok} file${ok > 1 ? "s" : ""}`,
      ]
        .filter(Boolean)
        .join(". "),
    );
  };

  const remove = (d: Draft) => {
    d.abort.abort();
    setDrafts((all) => all.filter((x) => x.key !== d.key));
    setNotice("");
    setStatus(`${d.name} removed`);
  };

  /** The conversation exists: upload the files that waited for it. */
  const start = () => {
    for (const d of drafts) if (d.blob) begin(d, d.blob);
    setDrafts((all) => all.map((d) => ({ ...d, blob: undefined })));
  };

  const clear = () => {
    setDrafts([]);
    setNotice("");
  };
  return { drafts, status, notice, setNotice, add, remove, start, clear };
}

const PAPER = (
  <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
    <path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M6 3h8l4 4v14H6zM14 3v4h4" />
  </svg>
);

/** The composer's files, above the message box. */
export function DraftList({ drafts, onRemove }: { drafts: Draft[]; onRemove: (d: Draft) => void }) {
  if (!drafts.length) return null;
  return (
    <ul class="sb-drafts" aria-label="Files to send">
      {drafts.map((d) => (
        <li
          key={d.key}
          class={`sb-chip${d.error ? " sb-bad" : ""}`}
          data-testid="widget-draft"
          data-done={d.file ? "" : undefined}
        >
          {PAPER}
          <span class="sb-fname">{d.name}</span>
          {d.error ? (
            <span class="sb-ferr">{d.error}</span>
          ) : d.file || d.blob ? (
            <span class="sb-fsize">{fileSize(d.size)}</span>
          ) : (
            <progress max={1} value={d.progress} aria-label={`Uploading ${d.name}`} />
          )}
          <button
            type="button"
            class="sb-x"
            aria-label={`${d.file || d.error ? "Remove" : "Cancel upload of"} ${d.name}`}
            onClick={() => onRemove(d)}
            data-testid="widget-draft-remove"
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A message's files: pictures as thumbnails (a click opens the full size), others as download chips. */
export function ItemFiles({ files, onBroken }: { files: Attachment[]; onBroken?: () => void }) {
  return (
    <div class="sb-files">
      {files.map((f) =>
        INLINE.includes(f.contentType) ? (
          <Thumb key={f.id} file={f} onBroken={onBroken} />
        ) : (
          <FileChip key={f.id} file={f} />
        ),
      )}
    </div>
  );
}

function FileChip({ file }: { file: Attachment }) {
  return (
    <a class="sb-chip" href={file.url} download={file.name} data-testid="widget-file">
      {PAPER}
      <span class="sb-fname">{file.name}</span>
      <span class="sb-fsize">{fileSize(file.size)}</span>
    </a>
  );
}

/** A picture; one that fails to load (its signed URL expired) asks for fresh URLs, then falls back to a chip. */
function Thumb({ file, onBroken }: { file: Attachment; onBroken?: () => void }) {
  const [broken, setBroken] = useState("");
  if (broken === file.url) return <FileChip file={file} />;
  return (
    <a class="sb-thumb" href={file.url} target="_blank" rel="noopener" aria-label={`${file.name} (opens full size)`}>
      <img
        src={file.url}
        alt={file.name}
        data-testid="widget-image"
        onError={() => {
          setBroken(file.url);
          onBroken?.();
        }}
      />
    </a>
  );
}
