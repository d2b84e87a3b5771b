/** Moving a conversation to another inbox: pick one the agent can reply in. */
import { useState } from "preact/hooks";
import type { Conversation } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Dialog, ErrorNotice } from "../../components/ui";
import { DialogActions } from "../../components/dialog-actions";
import { SelectField } from "../../components/select-field";

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
      props.onMoved(await api.move(props.conversation.id, inboxId));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title="Move to inbox" onClose={props.onClose} testid="move-dialog">
      <form class="lc-form" onSubmit={(e) => void submit(e)}>
        <SelectField
          label="Inbox"
          value={inboxId}
          options={props.targets.map((i) => ({ value: i.id, label: i.name }))}
          onChange={setInboxId}
          testid="move-inbox-select"
          autofocus
        />
        {assignee && (
          <p class="lc-form-hint">
            If {assignee.name} can't reply in the new inbox, the conversation becomes unassigned.
          </p>
        )}
        <ErrorNotice error={error} />
        <DialogActions
          onCancel={props.onClose}
          label="Move"
          busyLabel="Moving…"
          busy={busy}
          disabled={!inboxId}
          testid="move-submit"
        />
      </form>
    </Dialog>
  );
}
