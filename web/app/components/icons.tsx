/**
 * The client's icons, drawn once. Line icons are 16×16, stroked in the text
 * colour. They are decorative (hidden from screen readers) unless given a
 * `label`, which makes them an image with that name.
 */
import type { ComponentChildren } from "preact";

type IconProps = { class?: string; label?: string };

/** The `<svg>` around an icon: hidden when decorative, `role="img"` with a name when labelled. */
function Svg({
  class: cls = "icon",
  label,
  viewBox = "0 0 16 16",
  children,
}: IconProps & { viewBox?: string; children: ComponentChildren }) {
  return label ? (
    <svg class={cls || undefined} viewBox={viewBox} role="img" aria-label={label}>
      <title>{label}</title>
      {children}
    </svg>
  ) : (
    <svg class={cls || undefined} viewBox={viewBox} aria-hidden="true">
      {children}
    </svg>
  );
}

/** One stroked path, the shape of most icons here. */
function Line({ d, width = 1.3, round = "join" }: { d: string; width?: number; round?: "join" | "cap" | "both" }) {
  return (
    <path
      d={d}
      fill="none"
      stroke="currentColor"
      stroke-width={width}
      stroke-linecap={round === "join" ? undefined : "round"}
      stroke-linejoin={round === "cap" ? undefined : "round"}
    />
  );
}

/** A one-path line icon, for icons chosen from a map of paths (a view's, a notification kind's). */
export function LineIcon({
  d,
  width = 1.4,
  class: cls,
  viewBox,
}: {
  d: string;
  width?: number;
  class?: string;
  viewBox?: string;
}) {
  return (
    <Svg class={cls} viewBox={viewBox}>
      <Line d={d} width={width} round="both" />
    </Svg>
  );
}

/** Switchboard's mark: three connected points. */
export function BrandMark() {
  return (
    <Svg class="" viewBox="0 0 20 20">
      <circle cx="5" cy="6" r="2.2" />
      <circle cx="15" cy="6" r="2.2" />
      <circle cx="10" cy="14" r="2.2" />
      <path d="M5 6 10 14 15 6" fill="none" stroke="currentColor" stroke-width="1.6" />
    </Svg>
  );
}

/** A chat bubble or an envelope, for the channel of an inbox (named, as it carries meaning). */
export function ChannelIcon({ channel }: { channel: "chat" | "email" }) {
  return channel === "chat" ? (
    <Svg label="Chat">
      <Line d="M3 3h10a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H7l-3 2.5V11H3a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z" />
    </Svg>
  ) : (
    <Svg label="Email">
      <rect x="2" y="3.5" width="12" height="9" rx="1" fill="none" stroke="currentColor" stroke-width="1.3" />
      <Line d="M2.5 4.5 8 9l5.5-4.5" />
    </Svg>
  );
}

/** What a link leads to: a conversation or a ticket. */
export function LinkIcon({ kind }: { kind: "conversation" | "ticket" }) {
  return kind === "conversation" ? (
    <Svg class="icon dp-link-icon" label="Conversation">
      <Line d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" />
    </Svg>
  ) : (
    <Svg class="icon dp-link-icon" label="Ticket">
      <Line d="M2.5 4.5h11v2a1.5 1.5 0 0 0 0 3v2h-11v-2a1.5 1.5 0 0 0 0-3z M9.5 4.5v7" />
    </Svg>
  );
}

/** The small chevron of a menu button or a select. */
export function Caret() {
  return (
    <Svg class="icon lc-caret">
      <Line d="M4.5 6.5 8 10l3.5-3.5" width={1.5} round="both" />
    </Svg>
  );
}

export function ClockIcon() {
  return (
    <Svg class="icon lc-icon">
      <circle cx="8" cy="8" r="5.75" fill="none" stroke="currentColor" stroke-width="1.4" />
      <Line d="M8 4.8V8l2.2 1.4" width={1.4} round="both" />
    </Svg>
  );
}

export function SpamIcon() {
  return (
    <Svg class="icon lc-icon">
      <Line d="M5.3 2.5h5.4l2.8 2.8v5.4l-2.8 2.8H5.3l-2.8-2.8V5.3z" width={1.4} />
      <Line d="M8 5v3.4M8 10.8v.1" width={1.5} round="cap" />
    </Svg>
  );
}

export function ArrowIcon({ up }: { up?: boolean }) {
  return (
    <Svg>
      <Line d={up ? "M8 13V3M4 7l4-4 4 4" : "M8 3v10M4 9l4 4 4-4"} width={1.6} round="both" />
    </Svg>
  );
}

export function SearchIcon({ class: cls }: { class?: string }) {
  return (
    <Svg class={cls}>
      <Line d="M7 12a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM10.7 10.7 14 14" width={1.5} round="cap" />
    </Svg>
  );
}

export function SavedReplyIcon() {
  return (
    <Svg>
      <Line d="M4 2.5h8a1 1 0 0 1 1 1v10l-5-3-5 3v-10a1 1 0 0 1 1-1z" width={1.4} />
    </Svg>
  );
}

export function TeamIcon() {
  return (
    <Svg class="icon dp-lead">
      <Line
        d="M5.5 7.5a2 2 0 1 0 0-4 2 2 0 0 0 0 4zM11 7a1.7 1.7 0 1 0 0-3.4A1.7 1.7 0 0 0 11 7zM1.8 13c.4-2 1.9-3.2 3.7-3.2s3.3 1.2 3.7 3.2M9.8 9.6c.4-.2.8-.3 1.2-.3 1.6 0 2.8 1 3.2 2.8"
        round="cap"
      />
    </Svg>
  );
}

export function PlusIcon() {
  return (
    <Svg>
      <Line d="M8 3v10M3 8h10" width={1.8} round="cap" />
    </Svg>
  );
}

export function InboxIcon() {
  return (
    <Svg>
      <Line d="M2.5 9h3l1 1.5h3l1-1.5h3M4.2 3.5h7.6L13.5 9v3.5a1 1 0 0 1-1 1h-9a1 1 0 0 1-1-1V9z" />
    </Svg>
  );
}

export function MoreIcon() {
  return (
    <Svg>
      <circle cx="3.5" cy="8" r="1.3" fill="currentColor" />
      <circle cx="8" cy="8" r="1.3" fill="currentColor" />
      <circle cx="12.5" cy="8" r="1.3" fill="currentColor" />
    </Svg>
  );
}

/** The padlock of an internal note. */
export function LockIcon() {
  return (
    <Svg>
      <rect x="3.5" y="7" width="9" height="6.5" rx="1.2" fill="none" stroke="currentColor" stroke-width="1.3" />
      <path d="M5.5 7V5.2a2.5 2.5 0 0 1 5 0V7" fill="none" stroke="currentColor" stroke-width="1.3" />
    </Svg>
  );
}

/** A larger (24×24) line drawing, e.g. an empty state's picture. */
export function Picture({ d }: { d: string }) {
  return (
    <Svg class="" viewBox="0 0 24 24">
      <Line d={d} width={1.8} round="both" />
    </Svg>
  );
}

/** A paperclip: attaching files, or (labelled) "this holds files". */
export function PaperclipIcon({ label, class: cls }: IconProps) {
  return (
    <Svg label={label} class={cls}>
      <Line
        d="M13 7.5 8.2 12.3a3 3 0 0 1-4.3-4.2l5-5a2 2 0 0 1 2.9 2.8L7 10.7a1 1 0 0 1-1.4-1.4L10 4.9"
        width={1.3}
        round="both"
      />
    </Svg>
  );
}

/** A file: a sheet with a folded corner, or a picture for an image. */
export function FileIcon({ image }: { image?: boolean }) {
  return image ? (
    <Svg class="icon file-icon">
      <rect x="2.5" y="3" width="11" height="10" rx="1.3" fill="none" stroke="currentColor" stroke-width="1.3" />
      <Line d="M3 11.5 6.3 8.2l2.4 2.4 1.6-1.6 2.7 2.7" round="both" />
      <circle cx="10.5" cy="6" r="1" fill="currentColor" />
    </Svg>
  ) : (
    <Svg class="icon file-icon">
      <Line d="M4 1.8h5l3.2 3.2v9.2H4zM9 1.8V5h3.2" />
    </Svg>
  );
}

/** An arrow into a tray: download. */
export function DownloadIcon() {
  return (
    <Svg class="icon download-icon">
      <Line d="M8 2.5v7.5M5 7l3 3 3-3M3 12.5h10" width={1.4} round="both" />
    </Svg>
  );
}
