/**
 * An inbox's SLA targets, as its admin sets them: first response, next
 * response and resolution, each off or a number of minutes, hours or days, and
 * whether the clocks count only the inbox's business hours (which needs hours).
 */
import { useRef, useState } from "preact/hooks";
import { MAX_SLA_MINUTES, type SlaTargetsInput } from "../../../../worker/contract";
import { api, fieldIssues } from "../../../lib/api";
import { CheckChoice } from "../../components/check-choice";
import { DialogActions } from "../../components/dialog-actions";
import { FieldIssue, SaveErrorNotice, useFocusOnError } from "../../components/field-issue";
import { type SelectOption, Select } from "../../components/select-field";
import { Dialog } from "../../components/ui";
import { useAction } from "../../hooks/resource";
import {
  type DurationUnit,
  hoursSummary,
  shortDuration,
  splitMinutes,
  TARGETS,
  type TargetKey,
  UNIT_MINUTES,
} from "./service-levels";
import type { InboxDialogProps } from "./inbox-dialog-props";

const UNITS: SelectOption<DurationUnit>[] = [
  { value: "minutes", label: "minutes" },
  { value: "hours", label: "hours" },
  { value: "days", label: "days" },
];

type TargetDraft = { on: boolean; amount: string; unit: DurationUnit };

function draftOf(minutes: number | null): TargetDraft {
  if (minutes === null) return { on: false, amount: "1", unit: "hours" };
  const { amount, unit } = splitMinutes(minutes);
  return { on: true, amount: String(amount), unit };
}

/** The target in minutes, or why it cannot be one; null when off. */
function minutesOf(d: TargetDraft): { minutes: number | null; problem?: string } {
  if (!d.on) return { minutes: null };
  const amount = Number(d.amount);
  if (!d.amount.trim() || !Number.isInteger(amount) || amount < 1)
    return { minutes: null, problem: "Enter a whole number, 1 or more." };
  const minutes = amount * UNIT_MINUTES[d.unit];
  if (minutes > MAX_SLA_MINUTES) return { minutes: null, problem: `At most ${shortDuration(MAX_SLA_MINUTES)}.` };
  return { minutes };
}

export function SlaDialog({ inbox, onClose, onSaved }: InboxDialogProps) {
  const [drafts, setDrafts] = useState(
    () => Object.fromEntries(TARGETS.map((t) => [t.key, draftOf(inbox.sla[t.key])])) as Record<TargetKey, TargetDraft>,
  );
  const [businessHoursOnly, setBusinessHoursOnly] = useState(inbox.sla.businessHoursOnly);
  const parsed = Object.fromEntries(TARGETS.map((t) => [t.key, minutesOf(drafts[t.key])])) as Record<
    TargetKey,
    ReturnType<typeof minutesOf>
  >;
  const valid = TARGETS.every((t) => !parsed[t.key].problem);
  const save = useAction(
    () => {
      const input: SlaTargetsInput = { businessHoursOnly };
      for (const t of TARGETS) input[t.key] = parsed[t.key].minutes;
      return api.setSlaTargets(inbox.id, input);
    },
    { key: inbox.id, onDone: onSaved },
  );
  const { fields: issues, other } = fieldIssues(save.error);
  const onlyFieldIssues = Object.keys(issues).length > 0 && other.length === 0;
  const hasHours = inbox.businessHours !== null;
  const form = useRef<HTMLFormElement>(null);
  useFocusOnError(form, save.error);

  const change = (key: TargetKey, patch: Partial<TargetDraft>) =>
    setDrafts((all) => ({ ...all, [key]: { ...all[key], ...patch } }));

  return (
    <Dialog title={`SLA targets · ${inbox.name}`} onClose={onClose} testid="sla-dialog" wide>
      <form
        class="form sla-form"
        ref={form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void save.run();
        }}
      >
        <p class="field-hint">
          A conversation's clock starts when it arrives; the list shows how long is left, amber near the end and red
          once it is missed.
        </p>
        {TARGETS.map((t, index) => {
          const d = drafts[t.key];
          const lines = parsed[t.key].problem ? [parsed[t.key].problem!] : issues[t.key];
          const id = `sla-${t.key}`;
          return (
            <fieldset key={t.key} class="sla-target" aria-labelledby={`${id}-label`} data-testid={id}>
              <label class="sla-target-on">
                <input
                  type="checkbox"
                  checked={d.on}
                  onChange={(e) => change(t.key, { on: e.currentTarget.checked })}
                  aria-describedby={`${id}-hint`}
                  data-testid={`${id}-on`}
                  data-autofocus={index === 0 || undefined}
                />
                <span class="widget-choice-label" id={`${id}-label`}>
                  {t.label}
                </span>
              </label>
              <div class="sla-target-value">
                {d.on ? (
                  <>
                    <span class="field-hint">within</span>
                    <input
                      type="number"
                      min={1}
                      step={1}
                      value={d.amount}
                      onInput={(e) => change(t.key, { amount: e.currentTarget.value })}
                      aria-label={`${t.label} within`}
                      aria-invalid={lines?.length ? true : undefined}
                      aria-describedby={`${id}-issue`}
                      data-testid={`${id}-amount`}
                    />
                    <Select
                      value={d.unit}
                      options={UNITS}
                      onChange={(unit) => change(t.key, { unit })}
                      aria-label={`${t.label} unit`}
                      testid={`${id}-unit`}
                    />
                  </>
                ) : (
                  <span class="sla-off">Off</span>
                )}
              </div>
              <span class="field-hint sla-target-hint" id={`${id}-hint`}>
                {t.hint}
              </span>
              <FieldIssue id={`${id}-issue`} lines={lines} />
            </fieldset>
          );
        })}

        <CheckChoice
          id="sla-business"
          label="Count business hours only"
          hint={
            hasHours
              ? `Clocks pause outside ${hoursSummary(inbox.businessHours)}.`
              : "This inbox has no business hours, so every hour counts. Set its business hours first to count only those."
          }
          checked={businessHoursOnly}
          disabled={!hasHours}
          onChange={setBusinessHoursOnly}
          describedBy="sla-business-issue"
          testid="sla-business-only"
        />
        <FieldIssue id="sla-business-issue" lines={issues.businessHoursOnly} />

        <SaveErrorNotice error={save.error} atFields={onlyFieldIssues} />
        <DialogActions
          onCancel={onClose}
          label="Save targets"
          busyLabel="Saving…"
          busy={save.busy}
          disabled={!valid}
          testid="sla-save"
        />
      </form>
    </Dialog>
  );
}
