/**
 * "New conversation": an agent starts a thread with a contact in an inbox they
 * can reply in, with text, files (Attach, a drop, a pasted screenshot) or both.
 * Files are stored for one inbox, so the inbox is fixed while any are attached.
 */
import { useState } from "preact/hooks";
import { api } from "../../../lib/api";
import { navigate } from "../../../lib/router";
import { Dialog, ErrorNotice, Field } from "../../components/ui";
import { replyInboxes, useSession } from "../../session";
import { MAX_NAME_CHARS, MAX_SUBJECT_CHARS } from "../../../../worker/contract";
import { DialogActions } from "../../components/dialog-actions";
import { SelectField } from "../../components/select-field";
import { useUploads } from "../attachments/use-uploads";
import { AttachButton, UploadTray } from "../attachments/upload-tray";
import { pastedImages } from "../attachments/files";
import { useFileDrop } from "../attachments/use-file-drop";

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
  const uploads = useUploads(form.inboxId, "new-conversation");
  const drop = useFileDrop(uploads.add);
  const waiting = uploads.uploading || uploads.failed;
  const set = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (waiting) return;
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
        ...(uploads.ids.length > 0 && { attachmentIds: uploads.ids }),
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
      {/* Dropping files is a pointer shortcut; Attach does the same from the keyboard. */}
      <form class={`form${drop.dropping ? " is-dropping" : ""}`} onSubmit={submit} {...drop.handlers}>
        <SelectField
          label="Inbox"
          value={form.inboxId}
          options={inboxes.map((i) => ({ value: i.id, label: `${i.name} (${i.channel})` }))}
          onChange={(inboxId) => setForm((f) => ({ ...f, inboxId }))}
          testid="new-conversation-inbox"
          disabled={uploads.list.length > 0}
          hint={uploads.list.length > 0 ? "Files are attached for this inbox: remove them to pick another." : undefined}
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
            onPaste={(e) => {
              const images = pastedImages(e.clipboardData);
              if (images.length === 0) return;
              e.preventDefault();
              uploads.add(images);
            }}
            data-testid="new-conversation-body"
            required={uploads.ids.length === 0}
            placeholder="Write the first message…"
          />
        </Field>
        <div class="new-conversation-files">
          <AttachButton onFiles={uploads.add} disabled={busy} testid="new-conversation-attach" />
          {drop.dropping && <span class="new-conversation-drop">Drop files to attach</span>}
        </div>
        <UploadTray uploads={uploads} disabled={busy} />
        <ErrorNotice error={error} />
        <DialogActions
          onCancel={onClose}
          label="Start conversation"
          busyLabel="Starting…"
          busy={busy}
          disabled={!form.inboxId || (!form.body.trim() && uploads.ids.length === 0) || waiting}
          testid="new-conversation-submit"
        />
      </form>
    </Dialog>
  );
}
