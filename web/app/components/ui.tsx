/** Small presentational pieces shared by the pages. */
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import type { Status } from "../../../worker/contract";
import { ApiError, issueLines } from "../../lib/api";
import { Picture } from "./icons";

/** Any thrown value as an ApiError, so every failure can be shown the same way. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  console.error(error);
  return new ApiError(0, "client_error", error instanceof Error ? error.message : "Something went wrong.");
}

export function Spinner({ label }: { label?: string }) {
  return (
    <span class="spinner-wrap" role="status">
      <span class="spinner" aria-hidden="true" />
      {label && <span>{label}</span>}
    </span>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div class="loading" data-testid="loading">
      <Spinner label={label} />
    </div>
  );
}

/** An inline error next to the thing that failed: the API's message plus any field issues. */
export function ErrorNotice({
  error,
  onRetry,
  onDismiss,
}: {
  error: unknown;
  onRetry?: () => void;
  onDismiss?: () => void;
}) {
  if (!error) return null;
  const e = toApiError(error);
  const lines = e.code === "validation_failed" ? issueLines(e) : [];
  return (
    <div class="notice notice-error" role="alert" data-testid="error">
      <div>
        <strong>{e.message}</strong>
        {lines.length > 0 && (
          <ul>
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        )}
      </div>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
      {onDismiss && (
        <button type="button" class="icon-btn" aria-label="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}

const emptyIcons = {
  check: "M7 12.5l3.5 3.5L17 9",
  inbox: "M4 13.5h4l1.5 2.5h5l1.5-2.5h4M6.5 6h11l2.5 7.5V18a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1v-4.5z",
  search: "M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM15.5 15.5 20 20",
  alert: "M12 8v5M12 16.5v.01M10.3 4.3 2.8 17.5A2 2 0 0 0 4.5 20.5h15a2 2 0 0 0 1.7-3L13.7 4.3a2 2 0 0 0-3.4 0z",
  lock: "M7 11V8a5 5 0 0 1 10 0v3M6 11h12v9H6z",
};

export function EmptyState({
  title,
  children,
  testid,
  icon = "check",
}: {
  title: string;
  children?: ComponentChildren;
  testid?: string;
  icon?: keyof typeof emptyIcons;
}) {
  return (
    <div class="empty" data-testid={testid ?? "empty-state"}>
      <div class={`empty-mark empty-${icon}`} aria-hidden="true">
        <Picture d={emptyIcons[icon]} />
      </div>
      <p class="empty-title">{title}</p>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

const hues = [212, 262, 330, 24, 152, 190, 45, 290];

function initials(name: string): string {
  const parts = name
    .replace(/@.*/, "")
    .split(/[\s._-]+/)
    .filter(Boolean);
  const letters = parts.length > 1 ? parts[0]![0]! + parts[parts.length - 1]![0]! : (parts[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}

/** A round badge with initials, coloured stably by name. */
export function Avatar({ name, size = 32 }: { name: string; size?: number }) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const hue = hues[hash % hues.length];
  return (
    <span
      class="avatar"
      aria-hidden="true"
      style={{
        width: `${size}px`,
        height: `${size}px`,
        fontSize: `${Math.round(size * 0.4)}px`,
        background: `hsl(${hue} 55% 92%)`,
        color: `hsl(${hue} 45% 32%)`,
      }}
    >
      {initials(name)}
    </span>
  );
}

const statusLabels: Record<Status, string> = {
  open: "Open",
  snoozed: "Snoozed",
  resolved: "Resolved",
  spam: "Spam",
  merged: "Merged",
};

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span class={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      {statusLabels[status]}
    </span>
  );
}

/** A modal dialog: Escape and the backdrop close it; the first primary button gets focus. */
export function Dialog({
  title,
  onClose,
  children,
  testid,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  testid?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // A layout effect: the focus moves in and Escape works from the moment the dialog is on
  // screen (a plain effect runs a moment later, and an Escape pressed in between was lost).
  useLayoutEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const focusable =
      el?.querySelector<HTMLElement>("[data-autofocus]") ??
      el?.querySelector<HTMLElement>("input, textarea, select, button");
    focusable?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      previous?.focus?.();
    };
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; Escape and the Close button close it from the keyboard
    <div class="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class={`dialog${wide ? " dialog-wide" : ""}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testid}
        ref={ref}
      >
        <div class="dialog-head">
          <h2>{title}</h2>
          <button type="button" class="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in, which the label wraps
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}
