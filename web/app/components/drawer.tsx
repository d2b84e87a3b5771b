/**
 * A panel that slides over the page from one side (on a phone: the sidebar, a
 * conversation's details). A modal dialog: the focus moves in when it opens,
 * stays inside while it is open and goes back to where it was (the button that
 * opened it) when it closes; Escape, the Close button and a tap on the dimmed
 * page close it.
 */
import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";

const FOCUSABLE =
  "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

export function Drawer({
  label,
  side,
  onClose,
  children,
  testid,
}: {
  /** The dialog's name, read out and shown in its head. */
  label: string;
  side: "left" | "right";
  onClose: () => void;
  children: ComponentChildren;
  testid?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  // A layout effect: the focus is inside and Escape works from the moment the drawer is on screen.
  useLayoutEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const el = ref.current;
    (el?.querySelector<HTMLElement>("[data-autofocus]") ?? el)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        close.current();
        return;
      }
      if (e.key !== "Tab" || !el) return;
      const all = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((f) => f.offsetParent !== null);
      const first = all[0];
      const last = all[all.length - 1];
      if (!first || !last) return;
      // The focus went out (a popover inside closed and took it along): Tab brings it back in.
      if (!el.contains(document.activeElement)) {
        e.preventDefault();
        (e.shiftKey ? last : first).focus();
      } else if (e.shiftKey && (document.activeElement === first || document.activeElement === el)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    // On window: a popover or dialog inside (a picker, a menu) stops its own Escape at the document and closes alone.
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      if (previous?.isConnected) previous.focus();
    };
  }, []);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; Escape and the Close button close it from the keyboard
    <div
      class="drawer-backdrop"
      onMouseDown={(e) => {
        if (e.target !== e.currentTarget) return;
        // Not the press's own focus change (to the page behind): the focus goes back to the drawer's button.
        e.preventDefault();
        onClose();
      }}
    >
      <div
        class={`drawer drawer-${side}`}
        role="dialog"
        aria-modal="true"
        aria-label={label}
        data-testid={testid}
        tabIndex={-1}
        ref={ref}
      >
        <div class="drawer-head">
          <h2>{label}</h2>
          <button
            type="button"
            class="icon-btn drawer-close"
            aria-label="Close"
            onClick={onClose}
            data-autofocus
            data-testid="drawer-close"
          >
            ×
          </button>
        </div>
        <div class="drawer-body">{children}</div>
      </div>
    </div>
  );
}
