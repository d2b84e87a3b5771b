/**
 * A chat inbox's widget, as its admin sets it up: colour, greeting, position,
 * pre-chat and identity verification, the embed snippet, and a live preview of
 * the unsaved settings. Saving keeps the dialog open (the preview stays put);
 * a failed save keeps every change and marks the fields the API names.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { MAX_GREETING_CHARS, type WidgetSettings } from "../../../../worker/contract";
import { api, fieldIssues } from "../../../lib/api";
import { CopyField } from "../../components/copy-field";
import { DialogActions } from "../../components/dialog-actions";
import { Dialog } from "../../components/ui";
import { FieldIssue, SaveErrorNotice, useFocusOnError } from "../../components/field-issue";
import { useAction } from "../../hooks/resource";
import { WidgetIdentity } from "./widget-identity";
import { WidgetPreview } from "./widget-preview";
import type { InboxDialogProps } from "./inbox-dialog-props";

const HEX = /^#[0-9a-fA-F]{6}$/;

type Choice<V extends string> = { value: V; label: string; hint: string };

const POSITIONS: Choice<WidgetSettings["position"]>[] = [
  { value: "right", label: "Bottom right", hint: "Where most sites put their chat." },
  { value: "left", label: "Bottom left", hint: "When the right corner is taken (a cookie banner, a cart)." },
];

const PRE_CHAT: Choice<WidgetSettings["preChat"]>[] = [
  { value: "off", label: "Off", hint: "Visitors type their question right away; no name or email is asked." },
  { value: "optional", label: "Optional", hint: "The widget asks for a name and email; visitors may skip it." },
  { value: "required", label: "Required", hint: "Visitors give a name and email before their first message." },
];

/** The embed snippet a customer pastes into their site. */
export const embedSnippet = (widgetKey: string) =>
  `<script src="${location.origin}/widget.js" data-inbox="${widgetKey}" async></script>`;

export function WidgetDialog({ inbox, onClose, onSaved }: InboxDialogProps) {
  const [draft, setDraft] = useState<WidgetSettings>(inbox.widget);
  const [colorText, setColorText] = useState(inbox.widget.color);
  const [savedAs, setSavedAs] = useState<WidgetSettings | null>(null);
  const save = useAction((widget: WidgetSettings) => api.updateInbox(inbox.id, { widget }), {
    key: inbox.id,
    onDone: (updated) => {
      // The server's form of what was saved (a trimmed greeting, a lower-case colour).
      setDraft(updated.widget);
      setColorText(updated.widget.color);
      setSavedAs(updated.widget);
      onSaved(updated);
    },
  });
  const { fields: issues, other } = fieldIssues(save.error, ["widget"]);
  const onlyFieldIssues = Object.keys(issues).length > 0 && other.length === 0;
  const colorValid = HEX.test(colorText);
  const change = (patch: Partial<WidgetSettings>) => setDraft((d) => ({ ...d, ...patch }));
  const unchanged = JSON.stringify(draft) === JSON.stringify(savedAs ?? inbox.widget);
  // Save is disabled while it runs, which drops the keyboard focus: put it where the answer is.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (savedAs) form.current?.querySelector<HTMLElement>(".widget-saved")?.focus();
  }, [savedAs]);
  useFocusOnError(form, save.error);

  const submit = (e: Event) => {
    e.preventDefault();
    if (colorValid) void save.run(draft);
  };

  return (
    <Dialog title={`Chat widget · ${inbox.name}`} onClose={onClose} testid="widget-dialog" wide>
      <div class="widget-settings">
        <form class="form widget-form" onSubmit={submit} noValidate ref={form}>
          <div class="widget-field">
            <span class="field-label" id="widget-color-label">
              Colour
            </span>
            <div class="widget-color">
              <input
                type="color"
                value={draft.color}
                aria-labelledby="widget-color-label"
                onInput={(e) => {
                  const color = e.currentTarget.value.toLowerCase();
                  setColorText(color);
                  change({ color });
                }}
                data-testid="widget-color-picker"
              />
              <input
                value={colorText}
                maxLength={7}
                spellcheck={false}
                aria-label="Colour as hex"
                aria-invalid={!colorValid || issues.color ? true : undefined}
                aria-describedby="widget-color-issue"
                onInput={(e) => {
                  const text = e.currentTarget.value.trim();
                  setColorText(text);
                  if (HEX.test(text)) change({ color: text.toLowerCase() });
                }}
                data-testid="widget-color"
                data-autofocus
              />
            </div>
            <FieldIssue
              id="widget-color-issue"
              lines={colorValid ? issues.color : ["Enter a colour as # and six hex digits, like #2f6fed."]}
            />
          </div>

          <div class="widget-field">
            <label class="field-label" for="widget-greeting">
              Greeting
            </label>
            <textarea
              id="widget-greeting"
              value={draft.greeting}
              maxLength={MAX_GREETING_CHARS}
              rows={3}
              aria-invalid={issues.greeting ? true : undefined}
              aria-describedby="widget-greeting-count widget-greeting-issue"
              onInput={(e) => change({ greeting: e.currentTarget.value })}
              data-testid="widget-greeting"
            />
            <span class="field-hint" id="widget-greeting-count">
              The first thing visitors read when they open the chat. {draft.greeting.length} / {MAX_GREETING_CHARS}
            </span>
            <FieldIssue id="widget-greeting-issue" lines={issues.greeting} />
          </div>

          <Choices
            legend="Position"
            name="position"
            choices={POSITIONS}
            value={draft.position}
            onChange={(position) => change({ position })}
            issue={issues.position}
          />
          <Choices
            legend="Ask for name and email"
            name="preChat"
            choices={PRE_CHAT}
            value={draft.preChat}
            onChange={(preChat) => change({ preChat })}
            issue={issues.preChat}
          />
          <WidgetIdentity
            inboxId={inbox.id}
            required={draft.requireIdentity}
            onRequiredChange={(requireIdentity) => change({ requireIdentity })}
            issue={issues.requireIdentity}
          />

          <div class="widget-field">
            <span class="field-label">Embed on your site</span>
            <span class="field-hint">
              Paste this tag into every page that should show the chat, before &lt;/body&gt;.
            </span>
            <CopyField value={embedSnippet(inbox.widgetKey)} label="Embed snippet" testid="widget-snippet" multiline />
          </div>

          <SaveErrorNotice error={save.error} atFields={onlyFieldIssues} />
          {savedAs && unchanged && (
            <p class="notice notice-success widget-saved" role="status" tabIndex={-1} data-testid="widget-saved">
              Saved. Sites with the widget show the new settings on their next page load.
            </p>
          )}
          <DialogActions
            onCancel={onClose}
            cancelLabel={unchanged ? "Close" : "Cancel"}
            label="Save widget"
            busyLabel="Saving…"
            busy={save.busy}
            disabled={!colorValid || unchanged}
            testid="widget-save"
          />
        </form>
        <WidgetPreview widgetKey={inbox.widgetKey} config={{ ...draft, inboxName: inbox.name }} />
      </div>
    </Dialog>
  );
}

/** A radio group: one choice per line, each with a one-line explanation. */
function Choices<V extends string>(props: {
  legend: string;
  name: string;
  choices: Choice<V>[];
  value: V;
  onChange: (value: V) => void;
  issue?: string[];
}) {
  const issueId = `widget-${props.name}-issue`;
  return (
    <fieldset class="widget-choices" data-testid={`widget-${props.name}`} aria-describedby={issueId}>
      <legend class="field-label">{props.legend}</legend>
      {props.choices.map((c) => (
        <label key={c.value} class="widget-choice">
          <input
            type="radio"
            name={props.name}
            value={c.value}
            checked={props.value === c.value}
            onChange={() => props.onChange(c.value)}
            aria-invalid={props.issue?.length ? true : undefined}
            aria-describedby={`widget-${props.name}-${c.value}-hint`}
            data-testid={`widget-${props.name}-${c.value}`}
          />
          <span>
            <span class="widget-choice-label">{c.label}</span>
            <span class="field-hint" id={`widget-${props.name}-${c.value}-hint`}>
              {c.hint}
            </span>
          </span>
        </label>
      ))}
      <FieldIssue id={issueId} lines={props.issue} />
    </fieldset>
  );
}
