/**
 * "Create ticket" from a conversation: a title and a description; linked on creation. The title starts
 * empty, not as the conversation's subject: every agent reads tickets, and the subject may be private
 * to an inbox they cannot see.
 */
import { useState } from "preact/hooks";
import type { Conversation, Ticket } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Dialog, ErrorNotice, Field } from "../../components/ui";
import { DialogActions } from "../../components/dialog-actions";
import { MAX_TITLE_CHARS } from "../../../../worker/contract";

export function CreateTicketDialog(props: {
  conversation: Conversation;
  onClose: () => void;
  onCreated: (ticket: Ticket) => void;
}) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const ticket = await api.createTicket({
        title: title.trim(),
        ...(description.trim() && { description: description.trim() }),
        conversationId: props.conversation.id,
      });
      props.onCreated(ticket);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title="Create ticket" onClose={props.onClose} testid="create-ticket-dialog">
      <form class="lc-form" onSubmit={(e) => void submit(e)}>
        <p class="dialog-text">Track longer work on a ticket; it's linked to this conversation.</p>
        <Field label="Title" hint="Every agent can read tickets: name the work, not the customer.">
          <input
            value={title}
            onInput={(e) => setTitle(e.currentTarget.value)}
            maxLength={MAX_TITLE_CHARS}
            required
            data-autofocus
            data-testid="ticket-title"
          />
        </Field>
        <Field label="Description" hint="Optional: what needs doing, and for whom.">
          <textarea
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
            rows={4}
            data-testid="ticket-description"
          />
        </Field>
        <ErrorNotice error={error} />
        <DialogActions
          onCancel={props.onClose}
          label="Create ticket"
          busyLabel="Creating…"
          busy={busy}
          disabled={!title.trim()}
          testid="ticket-create-submit"
        />
      </form>
    </Dialog>
  );
}
