/** Settings → Inboxes: the workspace's inboxes with their widget keys; create and edit them. */
import { useState } from "preact/hooks";
import type { Channel, Inbox } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { fullDate } from "../../../lib/time";
import { Dialog, ErrorNotice, Field, Spinner } from "../../components/ui";
import { useSession } from "../../session";
import { MAX_AUTO_RESOLVE_DAYS, MAX_NAME_CHARS } from "../../../../worker/contract";
import { ChannelIcon } from "../../components/icons";
import { DialogActions } from "../../components/dialog-actions";
import { type SelectOption, SelectField } from "../../components/select-field";
import { BusinessHoursDialog } from "./business-hours-dialog";
import { hoursSummary, slaSummary } from "./service-levels";
import { SlaDialog } from "./sla-dialog";
import { WidgetDialog } from "./widget-dialog";
import type { InboxDialogProps } from "./inbox-dialog-props";

const CHANNELS: SelectOption<Channel>[] = [
  { value: "chat", label: "Chat widget" },
  { value: "email", label: "Email" },
];

export function InboxesTab({
  inboxes,
  onCreated,
  onUpdated,
}: {
  inboxes: Inbox[];
  onCreated: (inbox: Inbox) => void;
  onUpdated: (inbox: Inbox) => void;
}) {
  const { refresh } = useSession();
  const [name, setName] = useState("");
  const [channel, setChannel] = useState<Channel>("chat");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [editing, setEditing] = useState<Inbox | null>(null);
  /** The chat inbox whose widget dialog is open (by id: the list holds its latest saved settings). */
  const [widgetFor, setWidgetFor] = useState<string | null>(null);
  const widgetInbox = inboxes.find((i) => i.id === widgetFor);
  /** The inbox whose business hours or SLA targets are being edited. */
  const [serviceFor, setServiceFor] = useState<{ id: string; what: "hours" | "sla" } | null>(null);
  const serviceInbox = inboxes.find((i) => i.id === serviceFor?.id);
  const serviceSaved = (inbox: Inbox) => {
    onUpdated(inbox);
    setServiceFor(null);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const inbox = await api.createInbox({ name, channel });
      onCreated(inbox);
      setName("");
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const copy = async (key: string) => {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(key);
      setTimeout(() => setCopied((c) => (c === key ? null : c)), 1500);
    } catch {
      /* Clipboard may be unavailable (insecure origin); the key stays selectable. */
    }
  };

  return (
    <section class="card" data-testid="settings-inboxes">
      <div class="card-head">
        <h2>Inboxes</h2>
        <p>One inbox per channel or brand. A chat inbox's widget key goes into the script tag on your site.</p>
      </div>
      {inboxes.length === 0 ? (
        <p class="card-empty">No inboxes yet. Create the first one below.</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Channel</th>
              <th>Widget key</th>
              <th>Auto-resolve</th>
              <th>Created</th>
              <th class="cell-actions">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {inboxes.map((inbox) => (
              <tr key={inbox.id} data-testid="inbox-row" data-inbox-id={inbox.id} data-widget-key={inbox.widgetKey}>
                <td>
                  <div class="strong nowrap">{inbox.name}</div>
                  <div class="muted small inbox-service" data-testid="inbox-service-summary">
                    <button
                      type="button"
                      class="inbox-service-link"
                      onClick={() => setServiceFor({ id: inbox.id, what: "hours" })}
                      aria-label={`Business hours of ${inbox.name}: ${hoursSummary(inbox.businessHours)}`}
                      title="Edit business hours"
                      data-testid="inbox-hours"
                    >
                      {hoursSummary(inbox.businessHours)}
                      {/* The dot stays with the hours when the line wraps. */}
                      <span aria-hidden="true">{"\u00a0·"}</span>
                    </button>{" "}
                    <button
                      type="button"
                      class="inbox-service-link"
                      onClick={() => setServiceFor({ id: inbox.id, what: "sla" })}
                      aria-label={`SLA targets of ${inbox.name}: ${slaSummary(inbox.sla, inbox.businessHours !== null)}`}
                      title="Edit SLA targets"
                      data-testid="inbox-sla"
                    >
                      {slaSummary(inbox.sla, inbox.businessHours !== null)}
                    </button>
                  </div>
                </td>
                <td>
                  <span class="with-icon">
                    <ChannelIcon channel={inbox.channel} />
                    {inbox.channel === "chat" ? "Chat" : "Email"}
                  </span>
                  {inbox.emailAddress && <div class="muted small">{inbox.emailAddress}</div>}
                </td>
                <td class="cell-key">
                  <code class="key" data-testid="widget-key">
                    {inbox.widgetKey}
                  </code>
                  <button type="button" class="btn btn-ghost btn-small" onClick={() => void copy(inbox.widgetKey)}>
                    {copied === inbox.widgetKey ? "Copied" : "Copy"}
                  </button>
                </td>
                <td
                  class="muted nowrap"
                  title={
                    inbox.autoResolveDays ? `Resolved after ${inbox.autoResolveDays} days without activity` : undefined
                  }
                >
                  {inbox.autoResolveDays ? `After ${inbox.autoResolveDays} days` : "Off"}
                </td>
                <td class="muted nowrap" title={fullDate(inbox.createdAt)}>
                  {new Date(inbox.createdAt).toLocaleDateString(undefined, { dateStyle: "medium" })}
                </td>
                <td class="cell-actions nowrap">
                  {inbox.channel === "chat" && (
                    <button
                      type="button"
                      class="btn btn-small"
                      onClick={() => setWidgetFor(inbox.id)}
                      aria-label={`Widget of ${inbox.name}`}
                      data-testid="inbox-widget"
                    >
                      Widget
                    </button>
                  )}{" "}
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() => setEditing(inbox)}
                    data-testid="inbox-edit"
                  >
                    Edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" onSubmit={submit}>
        <Field label="New inbox name">
          <input
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="e.g. Support chat"
            required
            maxLength={MAX_NAME_CHARS}
            data-testid="inbox-name"
          />
        </Field>
        <SelectField label="Channel" value={channel} options={CHANNELS} onChange={setChannel} testid="inbox-channel" />
        <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()} data-testid="inbox-create">
          {busy ? <Spinner label="Creating…" /> : "Create inbox"}
        </button>
      </form>
      <ErrorNotice error={error} />
      {widgetInbox && <WidgetDialog inbox={widgetInbox} onClose={() => setWidgetFor(null)} onSaved={onUpdated} />}
      {serviceInbox && serviceFor?.what === "hours" && (
        <BusinessHoursDialog inbox={serviceInbox} onClose={() => setServiceFor(null)} onSaved={serviceSaved} />
      )}
      {serviceInbox && serviceFor?.what === "sla" && (
        <SlaDialog inbox={serviceInbox} onClose={() => setServiceFor(null)} onSaved={serviceSaved} />
      )}
      {editing && (
        <EditInboxDialog
          inbox={editing}
          onClose={() => setEditing(null)}
          onSaved={async (inbox) => {
            onUpdated(inbox);
            setEditing(null);
            await refresh();
          }}
        />
      )}
    </section>
  );
}

function EditInboxDialog({ inbox, onClose, onSaved }: InboxDialogProps) {
  const [form, setForm] = useState({
    name: inbox.name,
    emailAddress: inbox.emailAddress ?? "",
    autoResolve: inbox.autoResolveDays !== null,
    days: String(inbox.autoResolveDays ?? 7),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const email = form.emailAddress.trim();
      const updated = await api.updateInbox(inbox.id, {
        name: form.name,
        autoResolveDays: form.autoResolve ? Number(form.days) : null,
        ...(inbox.channel === "email" && { emailAddress: email || null }),
      });
      onSaved(updated);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Edit ${inbox.name}`} onClose={onClose} testid="inbox-dialog">
      <form class="form" onSubmit={submit}>
        <Field label="Name">
          <input
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            required
            maxLength={MAX_NAME_CHARS}
            data-testid="inbox-edit-name"
          />
        </Field>
        {inbox.channel === "email" && (
          <Field label="Email address" hint="Mail sent to this address lands in this inbox.">
            <input
              type="email"
              value={form.emailAddress}
              onInput={(e) => setForm({ ...form, emailAddress: e.currentTarget.value })}
              placeholder="support@example.com"
            />
          </Field>
        )}
        <label class="check-row">
          <input
            type="checkbox"
            checked={form.autoResolve}
            onChange={(e) => setForm({ ...form, autoResolve: e.currentTarget.checked })}
            data-testid="inbox-auto-resolve"
          />
          <span>
            Resolve conversations automatically after
            <input
              type="number"
              class="inline-number"
              min={1}
              max={MAX_AUTO_RESOLVE_DAYS}
              value={form.days}
              disabled={!form.autoResolve}
              onInput={(e) => setForm({ ...form, days: e.currentTarget.value })}
              aria-label="Days"
            />
            idle days
          </span>
        </label>
        <ErrorNotice error={error} />
        <DialogActions
          onCancel={onClose}
          label="Save"
          busyLabel="Saving…"
          busy={busy}
          disabled={!form.name.trim()}
          testid="inbox-save"
        />
      </form>
    </Dialog>
  );
}
