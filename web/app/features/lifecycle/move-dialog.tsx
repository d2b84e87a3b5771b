/** Moving a conversation to another inbox: pick one the agent can reply in. */
import { useState } from "preact/hooks";
import type { Conversation } from "../../../../worker/contract";
import { lifecycleApi } from "../../../lib/api";
import { Dialog, ErrorNotice, Field, Spinner } from "../../components/ui";

export function MoveDialog(props: {
  conversation: Conversation;
  targets: { id: string; name: string }[];
  onClose: () => void;
  onMoved: (c: Conversation) => void;
}) {
  const [inboxId, setInboxId] = useState(props.targets[0]?.id ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const assignee = props.conversation.assignee;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!inboxId) return;
    setBusy(true);
    setError(null);
    try {
      props.onMoved(await lifecycleApi.move(props.conversation.id, inboxId));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title="Move to inbox" onClose={props.onClose} testid="move-dialog">
      <form class="lc-form" onSubmit={(e) => void submit(e)}>
        <Field label="Inbox">
          <select
            value={inboxId}
            onChange={(e) => setInboxId(e.currentTarget.value)}
            data-testid="move-inbox-select"
            data-autofocus
          >
            {props.targets.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </Field>
        {assignee && (
          <p class="lc-form-hint">
            If {assignee.name} can't reply in the new inbox, the conversation becomes unassigned.
          </p>
        )}
        <ErrorNotice error={error} />
        <div class="form-actions">
          <button type="button" class="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy || !inboxId} data-testid="move-submit">
            {busy ? <Spinner label="Moving…" /> : "Move"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
