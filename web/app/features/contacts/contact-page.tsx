/**
 * `/contacts/:id`: a contact's profile. Name, email and attributes are
 * editable, and the contact can be blocked, with reply access to an inbox
 * where they have a conversation; other contacts with the same email are
 * offered for a merge. The conversations listed are the ones the agent sees.
 */
import { useEffect, useState } from "preact/hooks";
import type { Contact } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link, navigate } from "../../../lib/router";
import { DialogActions } from "../../components/dialog-actions";
import { Avatar, Dialog, EmptyState, ErrorNotice, Loading } from "../../components/ui";
import { useAction, useResource } from "../../hooks/resource";
import { BlockedNotice } from "./blocked-notice";
import { ContactEditor } from "./contact-editor";
import { contactLabel } from "./contact-label";
import { ConversationLinks } from "./conversation-links";
import { MergeDialog } from "./merge-dialog";

/** Conversations the profile shows at once (the API's ceiling). */
const SHOWN = 50;

export function ContactPage({ id }: { id: string }) {
  const contact = useResource(id, () => api.contact(id, SHOWN));
  const c = contact.data;
  useEffect(() => {
    document.title = c ? `${contactLabel(c)} · Contacts · Switchboard` : "Contact · Switchboard";
    // A merged contact's old link answers with the contact they were merged into.
    if (c && c.id !== id) navigate(`/contacts/${c.id}`, { replace: true });
  }, [c, id]);

  if (contact.error) {
    return (
      <section class="list-page" data-testid="contact-page" data-state="error">
        <ErrorNotice error={contact.error} onRetry={() => void contact.reload()} />
        <p>
          <Link href="/contacts">Back to contacts</Link>
        </p>
      </section>
    );
  }
  if (!c) return <Loading label="Loading contact…" />;
  return <Profile contact={c} onChange={(next) => contact.mutate(() => next)} onReload={() => void contact.reload()} />;
}

function Profile({
  contact: c,
  onChange,
  onReload,
}: {
  contact: Contact;
  onChange: (c: Contact) => void;
  onReload: () => void;
}) {
  const [confirmBlock, setConfirmBlock] = useState(false);
  const [merging, setMerging] = useState(false);
  const block = useAction((blocked: boolean) => api.updateContact(c.id, { blocked }), {
    key: c.id,
    onDone: (next) => {
      setConfirmBlock(false);
      onChange(next);
    },
  });
  const label = contactLabel(c);
  return (
    <section class="list-page contact-page" data-testid="contact-page" data-state="ready" data-blocked={c.blocked}>
      <p class="contact-crumbs">
        <Link href="/contacts">Contacts</Link> / {label}
      </p>
      <header class="page-head contact-head">
        <div class="contact-who">
          <Avatar name={label} size={48} />
          <div>
            <h1 data-testid="contact-name">{label}</h1>
            <p class="page-sub">
              {c.email ?? "No email"}
              {c.email && !c.emailVerified && <span class="unverified"> · unverified</span>}
            </p>
          </div>
        </div>
        {c.canEdit && (
          <div class="contact-actions">
            <button
              type="button"
              class={`btn${c.blocked ? "" : " btn-danger-outline"}`}
              onClick={() => setConfirmBlock(true)}
              data-testid={c.blocked ? "contact-unblock" : "contact-block"}
            >
              {c.blocked ? "Unblock" : "Block…"}
            </button>
            <button type="button" class="btn" onClick={() => setMerging(true)} data-testid="contact-merge">
              Merge into…
            </button>
          </div>
        )}
      </header>
      {c.blocked && <BlockedNotice />}
      {c.duplicates.length > 0 && (
        <div class="notice notice-info" data-testid="contact-duplicates">
          <span>
            Same email as{" "}
            {c.duplicates.map((d, i) => (
              <span key={d.id}>
                {i > 0 && ", "}
                <Link href={`/contacts/${d.id}`}>{contactLabel(d)}</Link>
              </span>
            ))}
            : probably the same person.
          </span>
          {c.canEdit && (
            <button type="button" class="btn btn-small" onClick={() => setMerging(true)}>
              Merge into…
            </button>
          )}
        </div>
      )}
      <div class="contact-grid">
        <ContactEditor key={c.id} contact={c} onSaved={onChange} />
        <section class="card contact-conversations" aria-labelledby="contact-conversations-title">
          <h2 id="contact-conversations-title">Conversations</h2>
          {c.conversations.length === 0 ? (
            <EmptyState title="No conversations you can see" testid="contact-no-conversations" icon="check" />
          ) : (
            <ConversationLinks conversations={c.conversations} testid="contact-conversations" />
          )}
          {c.nextCursor && <p class="muted">Showing the {SHOWN} most recent.</p>}
        </section>
      </div>
      {confirmBlock && (
        <Dialog title={c.blocked ? `Unblock ${label}?` : `Block ${label}?`} onClose={() => setConfirmBlock(false)}>
          <p class="dialog-text">
            {c.blocked
              ? "Their new chat messages and emails will reach your inboxes again."
              : "Their new chat messages and emails will be refused and create nothing. Their conversations stay as they are."}
          </p>
          {block.error ? <ErrorNotice error={block.error} /> : null}
          <DialogActions
            onCancel={() => setConfirmBlock(false)}
            label={c.blocked ? "Unblock" : "Block"}
            busyLabel="Saving…"
            busy={block.busy}
            danger={!c.blocked}
            focusCancel
            onConfirm={() => void block.run(!c.blocked)}
            testid="contact-block-confirm"
          />
        </Dialog>
      )}
      {merging && (
        <MergeDialog
          source={c}
          onClose={() => setMerging(false)}
          onMerged={(into) => {
            setMerging(false);
            if (into === c.id) onReload();
            else navigate(`/contacts/${into}`);
          }}
        />
      )}
    </section>
  );
}
