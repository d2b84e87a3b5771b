/**
 * The files a timeline item carries: PNG, JPEG, GIF and WebP as thumbnails
 * (lazy, bounded, alt = the file's name) that open full size in a lightbox,
 * everything else as a chip with its name, size and a download link. An image
 * the server will not show inline (its bytes are not what its type says)
 * falls back to the chip.
 */
import { useState } from "preact/hooks";
import type { Attachment } from "../../../../worker/contract";
import { DownloadIcon, FileIcon } from "../../components/icons";
import { Dialog } from "../../components/ui";
import { humanSize, isInlineImage } from "./files";

/** `lightbox: false` inside a dialog (the collision review): thumbnails open in a new tab instead of a dialog over a dialog. */
export function AttachmentList({ attachments, lightbox = true }: { attachments: Attachment[]; lightbox?: boolean }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  const [broken, setBroken] = useState<ReadonlySet<string>>(new Set());
  const inline = (a: Attachment) => isInlineImage(a.contentType) && !broken.has(a.id);
  const images = attachments.filter(inline);
  const files = attachments.filter((a) => !inline(a));
  return (
    <div class="att-list" data-testid="attachments">
      {images.length > 0 && (
        <div class="att-thumbs">
          {images.map((a) => (
            <a
              key={a.id}
              class="att-thumb"
              href={a.url}
              target="_blank"
              rel="noopener"
              title={`${a.name} (${humanSize(a.size)})`}
              data-testid="attachment-thumb"
              data-id={a.id}
              onClick={(e) => {
                // A plain click opens the lightbox; Ctrl/⌘/middle click keep the new tab.
                if (!lightbox || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                e.preventDefault();
                setOpen(a);
              }}
            >
              <img
                src={a.url}
                alt={a.name}
                loading="lazy"
                decoding="async"
                onError={() => setBroken((b) => new Set(b).add(a.id))}
              />
            </a>
          ))}
        </div>
      )}
      {files.length > 0 && (
        <ul class="att-files">
          {files.map((a) => (
            <li key={a.id}>
              <FileChip attachment={a} />
            </li>
          ))}
        </ul>
      )}
      {open && <Lightbox attachment={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

/** A file to download: its name and size; the whole chip is the link. */
function FileChip({ attachment: a }: { attachment: Attachment }) {
  const size = humanSize(a.size);
  return (
    <a
      class="att-file"
      href={a.url}
      download={a.name}
      aria-label={`Download ${a.name}, ${size}`}
      title={`Download ${a.name}`}
      data-testid="attachment-file"
      data-id={a.id}
    >
      <FileIcon image={isInlineImage(a.contentType)} />
      <span class="att-file-name">{a.name}</span>
      <span class="att-file-size">{size}</span>
      <DownloadIcon />
    </a>
  );
}

/** The image full size, over the page: Escape, the backdrop or Close dismiss it and focus returns to the thumbnail. */
function Lightbox({ attachment: a, onClose }: { attachment: Attachment; onClose: () => void }) {
  return (
    <Dialog title={a.name} onClose={onClose} testid="lightbox" wide>
      <div class="lightbox-body">
        <img class="lightbox-img" src={a.url} alt={a.name} data-testid="lightbox-image" />
      </div>
      <div class="form-actions lightbox-actions">
        <span class="lightbox-size">{humanSize(a.size)}</span>
        <a class="btn" href={a.url} target="_blank" rel="noopener" data-testid="lightbox-open">
          Open in new tab
        </a>
        <a class="btn" href={a.url} download={a.name} data-testid="lightbox-download">
          <DownloadIcon />
          Download
        </a>
      </div>
    </Dialog>
  );
}
