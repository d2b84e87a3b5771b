/**
 * The header's "More" menu: mark as spam (or restore), move the conversation
 * to another inbox the agent can reply in, or merge it into another.
 */
import { useRef, useState } from "preact/hooks";
import type { Conversation } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { useDismiss } from "../../hooks/dismiss";
import { useCommands } from "../keyboard/commands";
import { MergeDialog } from "./merge-dialog";
import { MoveDialog } from "./move-dialog";
import { MoreIcon } from "../../components/icons";

export function MoreMenu(props: {
  conversation: Conversation;
  /** Inboxes the conversation may move to (reply access, not its own). */
  targets: { id: string; name: string }[];
  onChange: (c: Conversation) => void;
  onError: (error: unknown) => void;
  disabled?: boolean;
}) {
  const c = props.conversation;
  const [open, setOpen] = useState(false);
  const [moving, setMoving] = useState(false);
  const [merging, setMerging] = useState(false);
  useCommands({ merge: !props.disabled && (() => setMerging(true)) });
  const [busy, setBusy] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useDismiss(ref, open, () => setOpen(false));
  const spam = c.status === "spam";

  const toggleSpam = async () => {
    setOpen(false);
    setBusy(true);
    props.onError(null);
    try {
      props.onChange(await api.setStatus(c.id, spam ? "open" : "spam"));
    } catch (error) {
      props.onError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="lc-menu-wrap" ref={ref}>
      <button
        type="button"
        class={`btn lc-more-button${open ? " is-open" : ""}`}
        aria-label="More actions"
        title="More actions"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        disabled={props.disabled || busy}
        data-testid="more-actions"
      >
        <MoreIcon />
      </button>
      {open && (
        <div class="lc-menu lc-more-menu" role="menu" data-testid="more-menu">
          <button
            type="button"
            role="menuitem"
            class="lc-menu-item"
            onClick={() => void toggleSpam()}
            data-testid={spam ? "restore-spam" : "mark-spam"}
          >
            <span class="lc-menu-label">{spam ? "Restore (not spam)" : "Mark as spam"}</span>
          </button>
          <button
            type="button"
            role="menuitem"
            class="lc-menu-item"
            onClick={() => {
              setOpen(false);
              setMoving(true);
            }}
            disabled={props.targets.length === 0}
            title={props.targets.length === 0 ? "You can reply in no other inbox" : undefined}
            data-testid="move-inbox"
          >
            <span class="lc-menu-label">Move to inbox…</span>
          </button>
          <button
            type="button"
            role="menuitem"
            class="lc-menu-item"
            onClick={() => {
              setOpen(false);
              setMerging(true);
            }}
            data-testid="merge-into"
          >
            <span class="lc-menu-label">Merge into…</span>
          </button>
        </div>
      )}
      {merging && <MergeDialog conversation={c} onClose={() => setMerging(false)} />}
      {moving && (
        <MoveDialog
          conversation={c}
          targets={props.targets}
          onClose={() => setMoving(false)}
          onMoved={(moved) => {
            setMoving(false);
            props.onChange(moved);
          }}
        />
      )}
    </div>
  );
}
