/**
 * Settings → Webhooks: the endpoints Switchboard POSTs the workspace's changes
 * to, signed per Standard Webhooks. Add, edit, turn off and on, rotate the
 * secret, send a test event, and read each endpoint's delivery log. A
 * notification about an endpoint Switchboard turned off links here.
 */
import { useState } from "preact/hooks";
import type { CreatedWebhook, Webhook } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { fullDate, longAgo, useNow } from "../../../lib/time";
import { Switch } from "../../components/switch";
import { ErrorNotice, Spinner } from "../../components/ui";
import { useResource } from "../../hooks/resource";
import { ConfirmDialog } from "./confirm-dialog";
import { SecretDialog, WebhookDialog } from "./webhook-dialog";
import { WebhookDeliveries } from "./webhook-deliveries";

type Revealed = { created: CreatedWebhook; rotated: boolean };

export function WebhooksTab() {
  const list = useResource("webhooks", () => api.webhooks().then((r) => r.items));
  const hooks = list.data ?? null;
  const [editing, setEditing] = useState<Webhook | "new" | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [logOpen, setLogOpen] = useState<string | null>(null);
  const [tested, setTested] = useState<{ id: string; count: number } | null>(null);
  const [busy, setBusy] = useState<{ id: string; what: "toggle" | "test" } | null>(null);
  const [rowError, setRowError] = useState<{ id: string; error: unknown } | null>(null);
  const now = useNow();

  const replace = (hook: Webhook) =>
    list.mutate((l) => (l.some((h) => h.id === hook.id) ? l.map((h) => (h.id === hook.id ? hook : h)) : [...l, hook]));
  /** A write on one endpoint's row; its failure is shown on that row. */
  const act = async (hook: Webhook, what: "toggle" | "test", write: () => Promise<void>) => {
    setBusy({ id: hook.id, what });
    setRowError(null);
    try {
      await write();
    } catch (error) {
      setRowError({ id: hook.id, error });
    } finally {
      setBusy(null);
    }
  };
  const setEnabled = (hook: Webhook, enabled: boolean) =>
    act(hook, "toggle", async () => replace(await api.updateWebhook(hook.id, { enabled })));
  const sendTest = (hook: Webhook) =>
    act(hook, "test", async () => {
      await api.sendTestWebhook(hook.id);
      setLogOpen(hook.id);
      setTested((t) => ({ id: hook.id, count: (t?.count ?? 0) + 1 }));
    });
  const add = () => setEditing("new");

  return (
    <section class="card" data-testid="settings-webhooks">
      <div class="card-head card-head-row wh-head">
        <div>
          <h2>Webhooks</h2>
          <p>
            Send conversations, messages and ratings to your own systems as they happen, signed so the receiver can
            trust them.
          </p>
        </div>
        {hooks && hooks.length > 0 && (
          <button type="button" class="btn btn-primary" onClick={add} data-testid="webhook-new">
            Add endpoint
          </button>
        )}
      </div>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={() => void list.reload()} />
      ) : !hooks ? (
        <Spinner label="Loading webhooks…" />
      ) : hooks.length === 0 ? (
        <div class="card-blank wh-empty" data-testid="webhooks-empty">
          <p class="strong">No endpoints yet</p>
          <p class="muted">
            An endpoint is a URL of yours that Switchboard calls whenever a conversation starts or changes, a message
            arrives or a customer leaves a rating: keep a CRM in sync, post to chat, or start your own automations.
          </p>
          <p>
            <button type="button" class="btn btn-primary" onClick={add} data-testid="webhook-new">
              Add endpoint
            </button>
          </p>
        </div>
      ) : (
        <ul class="list-rows wh-rows" data-testid="webhook-list">
          {hooks.map((hook) => (
            <li
              key={hook.id}
              class={`list-row wh-row${hook.enabled ? "" : " is-off"}`}
              data-testid="webhook-row"
              data-id={hook.id}
              data-enabled={String(hook.enabled)}
            >
              <div class="list-row-main">
                <span class="wh-url" data-testid="webhook-row-url">
                  {hook.url}
                </span>
                {hook.description && <span class="wh-description">{hook.description}</span>}
                <span class="wh-events">
                  <span class="sr-only">Events: </span>
                  {hook.events.map((e) => (
                    <span key={e} class="wh-event">
                      {e}
                    </span>
                  ))}
                  {hook.includeNotes && <span class="wh-event wh-event-notes">with internal notes</span>}
                </span>
                <HookState hook={hook} now={now} busy={busy !== null} onEnable={() => void setEnabled(hook, true)} />
              </div>
              <label class="switch-row wh-switch" title={hook.enabled ? "On: events are sent" : "Off: nothing is sent"}>
                <Switch
                  checked={hook.enabled}
                  onChange={(on) => void setEnabled(hook, on)}
                  disabled={busy !== null}
                  label={`Send events to ${hook.url}`}
                  testid="webhook-enabled-switch"
                />
                <span class={hook.enabled ? "wh-on" : "wh-off"} data-testid="webhook-state" aria-hidden="true">
                  {busy?.id === hook.id && busy.what === "toggle" ? <Spinner /> : hook.enabled ? "On" : "Off"}
                </span>
              </label>
              <div class="list-row-actions wh-actions">
                <button
                  type="button"
                  class="btn btn-small"
                  aria-expanded={logOpen === hook.id}
                  onClick={() => setLogOpen(logOpen === hook.id ? null : hook.id)}
                  data-testid="webhook-log-toggle"
                >
                  {logOpen === hook.id ? "Hide deliveries" : "Deliveries"}
                </button>
                <button
                  type="button"
                  class="btn btn-small"
                  disabled={busy !== null}
                  onClick={() => void sendTest(hook)}
                  data-testid="webhook-test"
                >
                  {busy?.id === hook.id && busy.what === "test" ? <Spinner label="Sending…" /> : "Send test event"}
                </button>
                <button type="button" class="btn btn-small" onClick={() => setEditing(hook)} data-testid="webhook-edit">
                  Edit
                </button>
                <button
                  type="button"
                  class="btn btn-small"
                  onClick={() => setRotating(hook)}
                  data-testid="webhook-rotate"
                >
                  Rotate secret…
                </button>
                <button
                  type="button"
                  class="btn btn-small btn-ghost btn-danger-text"
                  onClick={() => setDeleting(hook)}
                  data-testid="webhook-delete"
                >
                  Delete
                </button>
              </div>
              {rowError?.id === hook.id && (
                <div class="row-error">
                  <ErrorNotice error={rowError.error} onDismiss={() => setRowError(null)} />
                </div>
              )}
              {logOpen === hook.id && (
                <WebhookDeliveries webhook={hook} refresh={tested?.id === hook.id ? tested.count : 0} />
              )}
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <WebhookDialog
          webhook={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(hook) => {
            replace(hook);
            setEditing(null);
          }}
          onCreated={(created) => {
            const { secret: _, ...hook } = created;
            replace(hook);
            setEditing(null);
            setRevealed({ created, rotated: false });
          }}
        />
      )}
      {revealed && (
        <SecretDialog
          created={revealed.created}
          rotated={revealed.rotated}
          onClose={() => {
            setRevealed(null);
            // A new endpoint's row is new: the keyboard continues there (a rotation returns to its button).
            if (!revealed.rotated) focusSoon(`[data-id="${revealed.created.id}"] [data-testid="webhook-log-toggle"]`);
          }}
        />
      )}
      {rotating && (
        <ConfirmDialog
          title="Rotate the signing secret?"
          confirm="Rotate secret"
          busyLabel="Rotating…"
          onClose={() => setRotating(null)}
          onConfirm={async () => {
            const created = await api.rotateWebhookSecret(rotating.id);
            setRotating(null);
            setRevealed({ created, rotated: true });
          }}
        >
          Deliveries to {rotating.url} are signed with a new secret from now on, and the old one stops working at once:
          update your receiver right after.
        </ConfirmDialog>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete this endpoint?"
          confirm="Delete endpoint"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteWebhook(deleting.id);
            list.mutate((l) => l.filter((h) => h.id !== deleting.id));
            setDeleting(null);
            // Its row (and Delete button) are gone.
            focusSoon(`[data-testid="settings-webhooks"] [data-testid="webhook-new"]`);
          }}
        >
          Nothing more is sent to {deleting.url}, and its delivery log is deleted with it.
        </ConfirmDialog>
      )}
    </section>
  );
}

/** Turned off by Switchboard (why, and a way back), or failing since when: in words, not only colour. */
function HookState({ hook, now, busy, onEnable }: { hook: Webhook; now: number; busy: boolean; onEnable: () => void }) {
  if (!hook.enabled && hook.disabledReason) {
    return (
      <div class="wh-state wh-state-disabled" data-testid="webhook-disabled-reason">
        <p>
          <strong>Turned off by Switchboard:</strong> {readableTimes(hook.disabledReason)}. Fix the receiver (a test
          event still goes out), then turn it back on.
        </p>
        <button type="button" class="btn btn-small" disabled={busy} onClick={onEnable} data-testid="webhook-reenable">
          Turn back on
        </button>
      </div>
    );
  }
  if (!hook.enabled || !hook.failingSince) return null;
  return (
    <p class="wh-state wh-failing" data-testid="webhook-failing">
      Failing since{" "}
      <time dateTime={hook.failingSince} title={fullDate(hook.failingSince)}>
        {longAgo(hook.failingSince, now)}
      </time>
      : deliveries are retried with back-off, and after about a day of failures Switchboard turns the endpoint off.
    </p>
  );
}

/** The server's reasons name times in ISO 8601: shown in the reader's own time. */
const readableTimes = (text: string) => text.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, (iso) => fullDate(iso));

/** Focuses what `selector` names once the next render (and a closing dialog's own focus return) is done. */
const focusSoon = (selector: string) =>
  requestAnimationFrame(() => document.querySelector<HTMLElement>(selector)?.focus());
