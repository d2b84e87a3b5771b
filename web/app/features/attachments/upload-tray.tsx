/**
 * The files attached to a message being written, as chips under the text:
 * name, size, progress with Cancel while uploading, the error with Retry
 * when it failed, Remove once stored. A polite live region says what
 * changed, so a screen reader hears uploads start, finish and fail.
 */
import { useRef } from "preact/hooks";
import { FileIcon, PaperclipIcon } from "../../components/icons";
import { humanSize, isInlineImage } from "./files";
import type { Upload, Uploads } from "./use-uploads";

/** The live region and the chips. Render it even with no files: the region must exist before it speaks. */
export function UploadTray({ uploads, disabled }: { uploads: Uploads; disabled?: boolean }) {
  return (
    <>
      <div class="sr-only" aria-live="polite" data-testid="upload-announcement">
        {uploads.announcement}
      </div>
      {uploads.refused && (
        <p class="upload-refused" role="alert" data-testid="upload-refused">
          {uploads.refused}
        </p>
      )}
      {uploads.list.length > 0 && (
        <ul class="upload-tray" aria-label="Attached files" data-testid="upload-tray">
          {uploads.list.map((u) => (
            <UploadChip key={u.key} upload={u} uploads={uploads} disabled={disabled} />
          ))}
        </ul>
      )}
    </>
  );
}

function UploadChip({ upload: u, uploads, disabled }: { upload: Upload; uploads: Uploads; disabled?: boolean }) {
  const percent = Math.round(u.progress * 100);
  return (
    <li
      class={`upload-chip is-${u.status}`}
      data-testid="upload-chip"
      data-status={u.status}
      data-name={u.name}
      data-progress={percent}
      title={u.name}
    >
      {u.preview ? <img class="upload-preview" src={u.preview} alt="" /> : <FileIcon image={isInlineImage(u.type)} />}
      <span class="upload-text">
        <span class="upload-name">{u.name}</span>
        <span class="upload-meta">
          {u.status === "failed" ? (
            <span class="upload-error" data-testid="upload-error">
              {u.error}
            </span>
          ) : u.status === "uploading" ? (
            `${percent}% of ${humanSize(u.size)}`
          ) : (
            humanSize(u.size)
          )}
        </span>
        {u.status === "uploading" && (
          <progress class="upload-progress" max={100} value={percent} aria-label={`Uploading ${u.name}`} />
        )}
      </span>
      {u.status === "failed" && u.retryable && (
        <button
          type="button"
          class="link-btn upload-retry"
          onClick={() => uploads.retry(u.key)}
          disabled={disabled}
          data-testid="upload-retry"
        >
          Retry
        </button>
      )}
      <button
        type="button"
        class="icon-btn upload-remove"
        onClick={() => uploads.remove(u.key)}
        disabled={disabled}
        aria-label={`${u.status === "uploading" ? "Cancel uploading" : "Remove"} ${u.name}`}
        title={u.status === "uploading" ? "Cancel upload" : "Remove"}
        data-testid="upload-remove"
      >
        ×
      </button>
    </li>
  );
}

/**
 * The "Attach files" button with its hidden file input: keyboard reachable and
 * labelled; picking files hands them to `onFiles`.
 */
export function AttachButton({
  onFiles,
  disabled,
  testid = "attach-button",
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
  testid?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        class="btn btn-ghost btn-small attach-btn"
        onClick={() => input.current?.click()}
        disabled={disabled}
        aria-label="Attach files"
        title="Attach files (or drop them here, or paste a screenshot)"
        data-testid={testid}
      >
        <PaperclipIcon />
        Attach
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const picked = [...(e.currentTarget.files ?? [])];
          // Picking the same file again must fire change again.
          e.currentTarget.value = "";
          onFiles(picked);
        }}
        data-testid={`${testid}-input`}
      />
    </>
  );
}
