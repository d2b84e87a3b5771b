/**
 * Add or edit a webhook endpoint: its URL, a description, the events it
 * receives (each explained in a line) and whether internal notes go along.
 * The API's field issues (a URL this deployment won't send to) are shown under
 * the field they name; after creating, the secret is revealed once.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  MAX_WEBHOOK_URL_CHARS,
  WEBHOOK_EVENTS,
  type CreatedWebhook,
  type Webhook,
  type WebhookEventType,
} from "../../../../worker/contract";
import { api, fieldIssues } from "../../../lib/api";
import { CheckChoice } from "../../components/check-choice";
import { CopyField } from "../../components/copy-field";
import { DialogActions } from "../../components/dialog-actions";
import { FieldIssue, SaveErrorNotice, useFocusOnError } from "../../components/field-issue";
import { Dialog } from "../../components/ui";
import { useAction } from "../../hooks/resource";

/** What each event means to someone wiring up a receiver. */
export const EVENT_HINTS: Record<WebhookEventType, string> = {
  "conversation.created": "A customer starts a conversation, by chat, email or the API.",
  "conversation.updated": "Its status, assignee, team, priority, tags or inbox change.",
  "message.created": "Every customer message and agent reply, the first one too (notes only if included below).",
  "conversation.merged": "An agent merges another conversation of the same customer into it.",
  "rating.created": "A customer rates a conversation.",
};

export function WebhookDialog({
  webhook,
  onClose,
  onCreated,
  onSaved,
}: {
  webhook: Webhook | null;
  onClose: () => void;
  onCreated: (created: CreatedWebhook) => void;
  onSaved: (webhook: Webhook) => void;
}) {
  const [url, setUrl] = useState(webhook?.url ?? "");
  const [description, setDescription] = useState(webhook?.description ?? "");
  const [events, setEvents] = useState<WebhookEventType[]>(webhook?.events ?? [...WEBHOOK_EVENTS]);
  const [includeNotes, setIncludeNotes] = useState(webhook?.includeNotes ?? false);
  const [enabled, setEnabled] = useState(true);
  const save = useAction(async () => {
    // Events in the contract's order, so an edit that only re-ticks one is no change.
    const input = { url, description, events: WEBHOOK_EVENTS.filter((e) => events.includes(e)) };
    const withNotes = { ...input, includeNotes: includeNotes && events.includes("message.created") };
    if (webhook) onSaved(await api.updateWebhook(webhook.id, withNotes));
    else onCreated(await api.createWebhook({ ...withNotes, enabled }));
  });
  const { fields: issues, other } = fieldIssues(save.error);
  const onlyFieldIssues = Object.keys(issues).length > 0 && other.length === 0;
  const form = useRef<HTMLFormElement>(null);
  useFocusOnError(form, save.error);

  const toggle = (event: WebhookEventType, on: boolean) =>
    setEvents(on ? [...events, event] : events.filter((e) => e !== event));
  const notesPossible = events.includes("message.created");

  return (
    <Dialog title={webhook ? "Edit endpoint" : "Add endpoint"} onClose={onClose} testid="webhook-dialog" wide>
      <form
        class="form wh-form"
        ref={form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <div class="field">
          <label class="field-label" for="webhook-url">
            Endpoint URL
          </label>
          <input
            id="webhook-url"
            type="url"
            inputMode="url"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
            required
            maxLength={MAX_WEBHOOK_URL_CHARS}
            spellcheck={false}
            placeholder="https://example.com/webhooks/switchboard"
            aria-invalid={issues.url ? true : undefined}
            aria-describedby="webhook-url-hint webhook-url-issue"
            data-testid="webhook-url"
            data-autofocus
          />
          <span class="field-hint" id="webhook-url-hint">
            Switchboard POSTs JSON here. It must be a public https address.
          </span>
          <FieldIssue id="webhook-url-issue" lines={issues.url} />
        </div>

        <div class="field">
          <label class="field-label" for="webhook-description">
            Description <span class="muted">(optional)</span>
          </label>
          <input
            id="webhook-description"
            value={description}
            onInput={(e) => setDescription(e.currentTarget.value)}
            maxLength={200}
            placeholder="e.g. CRM sync"
            aria-invalid={issues.description ? true : undefined}
            aria-describedby="webhook-description-issue"
            data-testid="webhook-description"
          />
          <FieldIssue id="webhook-description-issue" lines={issues.description} />
        </div>

        <fieldset class="widget-choices" aria-describedby="webhook-events-issue" data-testid="webhook-events">
          <legend class="field-label">Events</legend>
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} class="widget-choice">
              <input
                type="checkbox"
                checked={events.includes(event)}
                onChange={(e) => toggle(event, e.currentTarget.checked)}
                aria-describedby={`webhook-event-${event}-hint`}
                data-testid="webhook-event"
                data-event={event}
              />
              <span>
                <span class="widget-choice-label">{event}</span>
                <span class="field-hint" id={`webhook-event-${event}-hint`}>
                  {EVENT_HINTS[event]}
                </span>
              </span>
            </label>
          ))}
          <FieldIssue
            id="webhook-events-issue"
            lines={events.length === 0 ? ["Choose at least one event."] : issues.events}
          />
        </fieldset>

        <CheckChoice
          id="webhook-notes"
          label="Include internal notes"
          hint={
            notesPossible
              ? "Notes are private to your team: only send them to a system you trust. Sent as message.created."
              : "Only with message.created: notes arrive as messages."
          }
          checked={includeNotes && notesPossible}
          disabled={!notesPossible}
          onChange={setIncludeNotes}
          testid="webhook-include-notes"
        />

        {!webhook && (
          <CheckChoice
            id="webhook-enabled"
            label="Send events right away"
            hint="Leave it off to set up the receiver first; you can turn it on from the list."
            checked={enabled}
            onChange={setEnabled}
            testid="webhook-enabled"
          />
        )}

        <SaveErrorNotice error={save.error} atFields={onlyFieldIssues} />
        <DialogActions
          onCancel={onClose}
          label={webhook ? "Save endpoint" : "Add endpoint"}
          busyLabel="Saving…"
          busy={save.busy}
          disabled={!url.trim() || events.length === 0}
          testid="webhook-save"
        />
      </form>
    </Dialog>
  );
}

/** The signing secret, revealed once after creating an endpoint or rotating its secret. */
export function SecretDialog({
  created,
  rotated,
  onClose,
}: {
  created: CreatedWebhook;
  rotated: boolean;
  onClose: () => void;
}) {
  // Focus the secret (selected, ready to copy) rather than the dialog's Close button.
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.querySelector("input")?.focus(), []);
  return (
    <Dialog title={rotated ? "New signing secret" : "Endpoint added"} onClose={onClose} testid="webhook-secret-dialog">
      <div class="wh-secret" ref={panel} data-testid="webhook-secret-panel">
        <p>
          <strong>Copy the signing secret now: it won't be shown again.</strong>{" "}
          {rotated
            ? "The old secret stopped working: deliveries from now on are signed with this one."
            : `Deliveries to ${created.url} are signed with it.`}
        </p>
        <CopyField value={created.secret} label="Signing secret" testid="webhook-secret" />
        <p class="field-hint">
          Each request carries <code>webhook-id</code>, <code>webhook-timestamp</code> and{" "}
          <code>webhook-signature</code> headers per the{" "}
          <a href="https://www.standardwebhooks.com/" target="_blank" rel="noreferrer">
            Standard Webhooks
          </a>{" "}
          specification: verify them with its libraries, e.g. <code>new Webhook(secret).verify(body, headers)</code>.
          Payloads are described in the{" "}
          <a href="/api/docs" target="_blank" rel="noreferrer">
            API reference
          </a>
          .
        </p>
      </div>
      <div class="form-actions">
        <button type="button" class="btn btn-primary" onClick={onClose} data-testid="webhook-secret-done">
          Done
        </button>
      </div>
    </Dialog>
  );
}
