/**
 * "Merge into…": pick the contact who stays (the same-email duplicates first,
 * or any contact found by name or email), see what moves, confirm.
 */
import { useState } from "preact/hooks";
import type { Contact, ContactListItem } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { DialogActions } from "../../components/dialog-actions";
import { Dialog, ErrorNotice, Spinner } from "../../components/ui";
import { useAction, useResource } from "../../hooks/resource";
import { useSettled } from "../../hooks/settled";
import { contactLabel } from "./contact-label";

type Pick = { id: string; name: string | null; email: string | null };

export function MergeDialog(props: { source: Contact; onClose: () => void; onMerged: (intoId: string) => void }) {
  const { source } = props;
  const [q, setQ] = useState("");
  const [picked, setPicked] = useState<Pick | null>(null);
  const settled = useSettled(q.trim(), 250);
  const found = useResource(settled ? `q:${settled}` : null, () =>
    api.contacts(settled).then((r) => r.items.filter((c: ContactListItem) => c.id !== source.id)),
  );
  const merge = useAction((into: string) => api.mergeContact(source.id, into), {
    key: source.id,
    // A very large contact moves in several requests: ask until nothing remains.
    onDone: (answer, into) => (answer.remaining > 0 ? void merge.run(into) : props.onMerged(answer.contact.id)),
  });
  const choices: Pick[] = settled ? (found.data ?? []) : source.duplicates;
  const count = source.conversations.length;
  return (
    <Dialog title={`Merge ${contactLabel(source)} into…`} onClose={props.onClose} testid="contact-merge-dialog" wide>
      {picked ? (
        <>
          <p class="dialog-text" data-testid="contact-merge-summary">
            <strong>{contactLabel(source)}</strong> becomes part of <strong>{contactLabel(picked)}</strong>: their{" "}
            {source.nextCursor ? `${count}+` : count} conversation{count === 1 ? "" : "s"} you can see (and any in other
            inboxes) and their chat widget sessions move over; attributes and tags are combined, keeping{" "}
            {contactLabel(picked)}'s where both have one. Links to {contactLabel(source)} will open{" "}
            {contactLabel(picked)}. This cannot be undone.
          </p>
          {merge.error ? <ErrorNotice error={merge.error} /> : null}
          <DialogActions
            onCancel={() => setPicked(null)}
            cancelLabel="Back"
            label="Merge"
            busyLabel="Merging…"
            busy={merge.busy}
            onConfirm={() => void merge.run(picked.id)}
            testid="contact-merge-confirm"
          />
        </>
      ) : (
        <>
          <input
            type="search"
            class="contact-merge-search"
            placeholder="Find a contact by name or email"
            aria-label="Find the contact to merge into"
            value={q}
            onInput={(e) => setQ(e.currentTarget.value)}
            data-autofocus
            data-testid="contact-merge-search"
          />
          {!settled && choices.length > 0 && <p class="muted">Same email:</p>}
          {found.loading && settled ? <Spinner label="Searching…" /> : null}
          {found.error ? <ErrorNotice error={found.error} onRetry={() => void found.reload()} /> : null}
          <ul class="contact-merge-choices" data-testid="contact-merge-choices">
            {choices.map((c) => (
              <li key={c.id}>
                <button type="button" class="contact-merge-choice" onClick={() => setPicked(c)} data-contact-id={c.id}>
                  <strong>{contactLabel(c)}</strong>
                  {c.email && c.name && <span class="muted"> · {c.email}</span>}
                </button>
              </li>
            ))}
          </ul>
          {settled && found.data?.length === 0 && <p class="muted">No other contact matches.</p>}
          {!settled && choices.length === 0 && <p class="muted">Type to find the contact this one should join.</p>}
        </>
      )}
    </Dialog>
  );
}
