/** Settings → Saved replies: named templates agents insert into replies and notes, with placeholders. */
import { useRef, useState } from "preact/hooks";
import type { SavedReply } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { fullDate } from "../../../lib/time";
import { useResource } from "../../hooks/resource";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { fold } from "../../../lib/mentions";
import { PLACEHOLDERS, fillPlaceholders, type PlaceholderValues } from "../../../lib/placeholders";
import { insertAtCaret } from "../../../lib/textarea";
import { ConfirmDialog } from "./confirm-dialog";
import { MAX_NAME_CHARS, MAX_TEXT_CHARS } from "../../../../worker/contract";
import { DialogActions } from "../../components/dialog-actions";

const EXAMPLE: PlaceholderValues = {
  contact: { name: "Grace Hopper", email: "grace@example.com" },
  agent: { name: "Ada Lovelace", email: "ada@acme.test" },
  workspace: { name: "Acme Support" },
};

export function SavedRepliesTab() {
  const list = useResource("saved-replies", () => api.savedReplies().then((r) => r.items));
  const replies = list.data ?? null;
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [deleting, setDeleting] = useState<SavedReply | null>(null);
  const [filter, setFilter] = useState("");

  /** Shown at once, then read again (older reads still under way are dropped). */
  const saved = (reply: SavedReply) => {
    list.mutate((l) => [...l.filter((r) => r.id !== reply.id), reply].sort((a, b) => a.name.localeCompare(b.name)));
    setEditing(null);
    void list.reload();
  };
  const q = fold(filter.trim());
  const shown = (replies ?? []).filter((r) => !q || fold(`${r.name} ${r.body}`).includes(q));

  return (
    <section class="card" data-testid="settings-saved-replies">
      <div class="card-head card-head-row">
        <div>
          <h2>Saved replies</h2>
          <p>
            Answers your team gives often. Agents insert them from the composer; placeholders fill in for each
            conversation.
          </p>
        </div>
        {editing !== "new" && (
          <button type="button" class="btn btn-primary" onClick={() => setEditing("new")} data-testid="saved-reply-new">
            New saved reply
          </button>
        )}
      </div>
      {editing === "new" && <SavedReplyForm reply={null} onCancel={() => setEditing(null)} onSaved={saved} />}
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={() => void list.reload()} />
      ) : !replies ? (
        <Spinner label="Loading saved replies…" />
      ) : replies.length === 0 ? (
        editing !== "new" && (
          <div class="card-blank">
            <p class="strong">No saved replies yet</p>
            <p class="muted">
              Create one for the questions you answer every day: refunds, password resets, opening hours.
            </p>
          </div>
        )
      ) : (
        <>
          {replies.length > 6 && (
            <input
              class="search-input list-filter"
              value={filter}
              onInput={(e) => setFilter(e.currentTarget.value)}
              placeholder="Filter saved replies…"
              aria-label="Filter saved replies"
            />
          )}
          <ul class="list-rows">
            {shown.map((reply) =>
              editing === reply.id ? (
                <li key={reply.id} class="list-row is-editing">
                  <SavedReplyForm reply={reply} onCancel={() => setEditing(null)} onSaved={saved} />
                </li>
              ) : (
                <li key={reply.id} class="list-row sr-row" data-testid="saved-reply-row" data-id={reply.id}>
                  <div class="list-row-main">
                    <span class="strong" data-testid="saved-reply-name">
                      {reply.name}
                    </span>
                    <span class="sr-snippet" data-testid="saved-reply-body">
                      <Highlighted text={reply.body} />
                    </span>
                    <span class="muted small">Updated {fullDate(reply.updatedAt)}</span>
                  </div>
                  <div class="list-row-actions">
                    <button
                      type="button"
                      class="btn btn-small"
                      onClick={() => setEditing(reply.id)}
                      data-testid="saved-reply-edit"
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      class="btn btn-small btn-ghost btn-danger-text"
                      onClick={() => setDeleting(reply)}
                      data-testid="saved-reply-delete"
                    >
                      Delete
                    </button>
                  </div>
                </li>
              ),
            )}
          </ul>
        </>
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete “${deleting.name}”?`}
          confirm="Delete saved reply"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteSavedReply(deleting.id);
            list.mutate((l) => l.filter((r) => r.id !== deleting.id));
            setDeleting(null);
          }}
        >
          Agents will no longer find it in the composer. Messages already sent with it are not changed.
        </ConfirmDialog>
      )}
    </section>
  );
}

/** The body with its `{{placeholders}}` marked. */
function Highlighted({ text }: { text: string }) {
  const parts = text.split(/(\{\{\s*[a-zA-Z_.]+\s*\}\})/g);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <span key={i} class="ph">
            {p}
          </span>
        ) : (
          p
        ),
      )}
    </>
  );
}

function SavedReplyForm({
  reply,
  onCancel,
  onSaved,
}: {
  reply: SavedReply | null;
  onCancel: () => void;
  onSaved: (reply: SavedReply) => void;
}) {
  const [name, setName] = useState(reply?.name ?? "");
  const [body, setBody] = useState(reply?.body ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSaved(
        reply ? await api.updateSavedReply(reply.id, { name, body }) : await api.createSavedReply({ name, body }),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form class="sr-form" onSubmit={submit} data-testid="saved-reply-form">
      <div class="sr-form-main form">
        <Field label="Name" hint="What agents search for, e.g. “Refund policy”.">
          <input
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            required
            maxLength={MAX_NAME_CHARS}
            data-testid="saved-reply-name-input"
          />
        </Field>
        <Field label="Reply">
          <textarea
            ref={textarea}
            rows={6}
            value={body}
            onInput={(e) => setBody(e.currentTarget.value)}
            required
            maxLength={MAX_TEXT_CHARS}
            placeholder={"Hi {{contact.first_name}},\n\n…\n\nBest,\n{{agent.name}}"}
            data-testid="saved-reply-body-input"
          />
        </Field>
        {body.trim() && (
          <div class="sr-preview" data-testid="saved-reply-preview">
            <span class="field-label">Preview</span>
            <p>{fillPlaceholders(body, EXAMPLE)}</p>
          </div>
        )}
        <ErrorNotice error={error} />
        <DialogActions
          onCancel={onCancel}
          label={reply ? "Save changes" : "Create saved reply"}
          busyLabel="Saving…"
          busy={busy}
          disabled={!name.trim() || !body.trim()}
          testid="saved-reply-save"
        />
      </div>
      <aside class="cheat-sheet" data-testid="placeholder-cheat-sheet">
        <h3>Placeholders</h3>
        <p class="muted small">
          Click one to insert it. A missing customer name reads “there”; other missing values are left empty.
        </p>
        <ul>
          {PLACEHOLDERS.map((p) => (
            <li key={p.key}>
              <button
                type="button"
                class="ph ph-btn"
                onClick={() => textarea.current && insertAtCaret(textarea.current, `{{${p.key}}}`)}
                title={p.description}
              >
                {`{{${p.key}}}`}
              </button>
              <span class="muted small">{p.description}</span>
            </li>
          ))}
        </ul>
      </aside>
    </form>
  );
}
