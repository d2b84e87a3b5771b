/**
 * A contact's name, email and attributes, editable with reply access where
 * they have a conversation (read-only otherwise). An email an agent enters
 * counts as verified: mail from that address joins this contact.
 */
import { useState } from "preact/hooks";
import type { Contact } from "../../../../worker/contract";
import { MAX_CONTACT_ATTRIBUTES } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { ErrorNotice, Field, Spinner } from "../../components/ui";
import { useAction } from "../../hooks/resource";

type Row = { key: string; value: string };

const rowsOf = (attributes: Record<string, string>): Row[] =>
  Object.entries(attributes).map(([key, value]) => ({ key, value }));

export function ContactEditor({ contact: c, onSaved }: { contact: Contact; onSaved: (c: Contact) => void }) {
  const [name, setName] = useState(c.name ?? "");
  const [email, setEmail] = useState(c.email ?? "");
  const [rows, setRows] = useState<Row[]>(rowsOf(c.attributes));
  const [saved, setSaved] = useState(false);
  const save = useAction(
    () =>
      api.updateContact(c.id, {
        name: name.trim() || null,
        email: email.trim() || null,
        attributes: Object.fromEntries(rows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value])),
      }),
    {
      key: c.id,
      onDone: (next) => {
        setSaved(true);
        setRows(rowsOf(next.attributes));
        onSaved(next);
      },
    },
  );
  const setRow = (i: number, row: Partial<Row>) => {
    setSaved(false);
    setRows(rows.map((r, j) => (j === i ? { ...r, ...row } : r)));
  };

  if (!c.canEdit) {
    return (
      <section class="card contact-details" aria-labelledby="contact-details-title" data-testid="contact-details">
        <h2 id="contact-details-title">Details</h2>
        <Attributes attributes={c.attributes} />
        <p class="muted">Editing takes reply access to an inbox where they have a conversation.</p>
      </section>
    );
  }
  return (
    <form
      class="card contact-details"
      aria-labelledby="contact-details-title"
      data-testid="contact-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2 id="contact-details-title">Details</h2>
      <Field label="Name">
        <input
          value={name}
          onInput={(e) => {
            setSaved(false);
            setName(e.currentTarget.value);
          }}
          data-testid="contact-name-input"
        />
      </Field>
      <Field label="Email" hint="An address you enter here counts as theirs: their mail joins this contact.">
        <input
          type="email"
          value={email}
          onInput={(e) => {
            setSaved(false);
            setEmail(e.currentTarget.value);
          }}
          data-testid="contact-email-input"
        />
      </Field>
      <fieldset class="contact-attributes">
        <legend>Attributes</legend>
        {rows.length === 0 && <p class="muted">None yet. The chat widget adds what your site sends.</p>}
        {rows.map((row, i) => (
          <div class="contact-attr" key={i}>
            <input
              aria-label={`Attribute ${i + 1} name`}
              value={row.key}
              onInput={(e) => setRow(i, { key: e.currentTarget.value })}
            />
            <input
              aria-label={`Attribute ${i + 1} value`}
              value={row.value}
              onInput={(e) => setRow(i, { value: e.currentTarget.value })}
            />
            <button
              type="button"
              class="icon-btn"
              aria-label={`Remove attribute ${row.key || i + 1}`}
              onClick={() => {
                setSaved(false);
                setRows(rows.filter((_, j) => j !== i));
              }}
            >
              ×
            </button>
          </div>
        ))}
        {rows.length < MAX_CONTACT_ATTRIBUTES && (
          <button
            type="button"
            class="btn btn-small btn-ghost"
            onClick={() => setRows([...rows, { key: "", value: "" }])}
          >
            Add attribute
          </button>
        )}
      </fieldset>
      {save.error ? <ErrorNotice error={save.error} /> : null}
      <div class="form-actions">
        {saved && (
          <span class="muted" role="status">
            Saved
          </span>
        )}
        <button type="submit" class="btn btn-primary" disabled={save.busy} data-testid="contact-save">
          {save.busy ? <Spinner label="Saving…" /> : "Save"}
        </button>
      </div>
    </form>
  );
}

/** The attributes as a definition list (the widget's, and what agents added). */
export function Attributes({ attributes }: { attributes: Record<string, string> }) {
  const entries = Object.entries(attributes);
  if (!entries.length) return <p class="muted">No attributes.</p>;
  return (
    <dl class="details-list contact-attr-list" data-testid="contact-attributes">
      {entries.map(([k, v]) => (
        <>
          <dt key={`k-${k}`}>{k}</dt>
          <dd key={`v-${k}`}>{v}</dd>
        </>
      ))}
    </dl>
  );
}
