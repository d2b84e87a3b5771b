/** Behaviour shared by the small popovers (bell, pickers): close on a click outside or on Escape. */
import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";

/** While `open`, a mousedown outside `ref` or an Escape anywhere calls `onClose`. */
export function useDismiss(ref: RefObject<HTMLElement | null>, open: boolean, onClose: () => void): void {
  const close = useRef(onClose);
  close.current = onClose;
  // Closed as of the last render: the listeners go in an effect's cleanup a moment later, and an
  // Escape pressed in between must reach whatever is open underneath (a drawer), not stop here.
  const active = useRef(open);
  active.current = open;
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (active.current && ref.current && !ref.current.contains(e.target as Node)) close.current();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || !active.current) return;
      e.stopPropagation();
      close.current();
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
}
