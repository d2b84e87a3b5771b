/**
 * "Saved replies" button for the composer: a popover to search the workspace's
 * saved replies; choosing one hands its body, placeholders filled for this
 * contact and agent, to `onInsert`.
 *
 *   <SavedReplyPicker contact={conversation.contact} onInsert={(text) => insertAtCaret(input.current!, text)} />
 *
 * (`insertAtCaret` from ./textarea.ts puts the text at the caret of a
 * controlled textarea and fires its onInput.) Placeholder rules: see
 * placeholders.ts — unknown ones stay as written, a missing contact name
 * reads "there", other missing values are empty.
 */
import { useState } from "preact/hooks";
import type { SavedReply } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link } from "../../../lib/router";
import { useSession } from "../../session";
import { Picker } from "../../components/picker";
import { fillPlaceholders, type PlaceholderValues } from "../../../lib/placeholders";
import { useResource } from "../../hooks/resource";
import { SavedReplyIcon } from "../../components/icons";
import { canAdminister } from "../../../../worker/domain/access";

export type SavedReplyPickerProps = {
  /** The conversation's contact, for `{{contact.name}}` and `{{contact.email}}`. */
  contact: { name: string | null; email: string | null };
  /** Called with the chosen reply's text, placeholders filled. */
  onInsert: (text: string) => void;
  disabled?: boolean;
};

/** Read once per page load; the picker refreshes it each time it opens, showing the cached list meanwhile. */
let cache: SavedReply[] | null = null;

export function SavedReplyPicker({ contact, onInsert, disabled }: SavedReplyPickerProps) {
  const { me } = useSession();
  const [open, setOpen] = useState(false);
  // Read each time the list opens (the key comes and goes with it).
  const list = useResource(open ? "saved-replies" : null, () =>
    api.savedReplies().then((r) => {
      cache = r.items;
      return r.items;
    }),
  );
  const replies = list.data ?? cache;
  const failed = list.error !== null;

  const values: PlaceholderValues = {
    contact,
    agent: { name: me.user.name, email: me.user.email },
    workspace: me.workspace,
  };
  const isAdmin = canAdminister(me.user.role);
  return (
    <div class="saved-replies">
      <button
        type="button"
        class={`btn btn-ghost btn-small saved-replies-btn${open ? " is-open" : ""}`}
        onClick={() => setOpen(!open)}
        // While open, the picker closes itself on a mousedown outside it; this button toggles instead.
        onMouseDown={(e) => open && e.stopPropagation()}
        disabled={disabled}
        aria-expanded={open}
        title="Insert a saved reply"
        data-testid="saved-replies-button"
      >
        <SavedReplyIcon />
        Saved replies
      </button>
      {open && (
        <Picker
          class="saved-replies-pop"
          testid="saved-reply-picker"
          placeholder="Search saved replies…"
          options={(replies ?? []).map((r) => ({
            id: r.id,
            label: r.name,
            hint: fillPlaceholders(r.body, values),
            keywords: r.body,
          }))}
          renderOption={(o) => (
            <span class="sr-option">
              <span class="sr-name">{o.label}</span>
              <span class="sr-body">{o.hint}</span>
            </span>
          )}
          onPick={(o) => {
            setOpen(false);
            const reply = replies?.find((r) => r.id === o.id);
            if (reply) onInsert(fillPlaceholders(reply.body, values));
          }}
          emptyText={
            failed ? "Couldn't load saved replies. Try again." : replies === null ? "Loading…" : "No saved replies yet"
          }
          footer={
            isAdmin ? (
              <Link href="/settings?tab=saved-replies" data-testid="saved-replies-manage">
                Manage saved replies
              </Link>
            ) : (
              <span>Admins manage saved replies in Settings.</span>
            )
          }
          onClose={() => setOpen(false)}
        />
      )}
    </div>
  );
}
