/** "New conversation": an agent starts a thread with a contact in an inbox they can reply in. */
import { useState } from "preact/hooks";
import { api } from "../../../lib/api";
import { navigate } from "../../../lib/router";
import { Dialog, ErrorNotice, Field } from "../../components/ui";
import { replyInboxes, useSession } from "../../session";
import { MAX_NAME_CHARS, MAX_SUBJECT_CHARS } from "../../../../worker/contract";
import { DialogActions } from "../../components/dialog-actions";
import { SelectField } from "../../components/select-field";

export function NewConversationDialog({ onClose, inboxId }: { onClose: () => void; inboxId?: string | null }) {
  const { me } = useSession();
  const inboxes = replyInboxes(me);
  const [form, setForm] = useState({
    inboxId: inboxes.find((i) => i.id === inboxId)?.id ?? inboxes[0]?.id ?? "",
    name: "",
    email: "",
    subject: "",
    body: "",
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const name = form.name.trim();
      const email = form.email.trim();
      const subject = form.subject.trim();
      const conversation = await api.startConversation({
        inboxId: form.inboxId,
        contact: { ...(name && { name }), ...(email && { email }) },
        ...(subject && { subject }),
        body: form.body,
      });
      onClose();
      navigate(`/conversations/${encodeURIComponent(conversation.id)}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const channel = inboxes.find((i) => i.id === form.inboxId)?.channel;
  return (
    <Dialog title="New conversation" onClose={onClose} testid="new-conversation-dialog" wide>
      <form class="form" onSubmit={submit}>
        <SelectField
          label="Inbox"
          value={form.inboxId}
          options={inboxes.map((i) => ({ value: i.id, label: `${i.name} (${i.channel})` }))}
          onChange={(inboxId) => setForm((f) => ({ ...f, inboxId }))}
          testid="new-conversation-inbox"
          required
        />
        <div class="form-row">
          <Field label="Contact name">
            <input
              value={form.name}
              onInput={set("name")}
              placeholder="Jane Doe"
              data-testid="new-conversation-name"
              maxLength={MAX_NAME_CHARS}
            />
          </Field>
          <Field label="Contact email">
            <input
              type="email"
              value={form.email}
              onInput={set("email")}
              placeholder="jane@example.com"
              data-testid="new-conversation-email"
              required={channel === "email"}
            />
          </Field>
        </div>
        <Field label="Subject" hint="Optional">
          <input
            value={form.subject}
            onInput={set("subject")}
            data-testid="new-conversation-subject"
            maxLength={MAX_SUBJECT_CHARS}
          />
        </Field>
        <Field label="Message">
          <textarea
            rows={6}
            value={form.body}
            onInput={set("body")}
            data-testid="new-conversation-body"
            required
            placeholder="Write the first message…"
          />
        </Field>
        <ErrorNotice error={error} />
        <DialogActions
          onCancel={onClose}
          label="Start conversation"
          busyLabel="Starting…"
          busy={busy}
          disabled={!form.inboxId || !form.body.trim()}
          testid="new-conversation-submit"
        />
      </form>
    </Dialog>
  );
}
