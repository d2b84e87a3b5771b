/**
 * An inbox's business hours, as its admin sets them: a time zone, one or more
 * opening intervals per weekday (overnight ones run into the next day), quick
 * presets and holidays. Without hours the inbox counts every hour (24/7);
 * clearing them goes back to that. The API's issues are shown beside what they
 * name: an overlap under the day it is on, a bad date under the holidays.
 */
import { Fragment } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { type BusinessHours, type BusinessInterval, clockMinutes } from "../../../../worker/contract";
import { api, validationIssues } from "../../../lib/api";
import { DialogActions } from "../../components/dialog-actions";
import { FieldIssue, SaveErrorNotice, useFocusOnError } from "../../components/field-issue";
import { Dialog, ErrorNotice, Spinner } from "../../components/ui";
import { useAction } from "../../hooks/resource";
import { browserTimeZone, hoursSummary, PRESETS, timeZones, WEEK } from "./service-levels";
import type { InboxDialogProps } from "./inbox-dialog-props";

/** Where a new schedule starts: the admin's zone, open Monday to Friday 9 to 5. */
const starting = (): BusinessHours => ({ timeZone: browserTimeZone(), weekly: PRESETS[0]!.weekly, holidays: [] });

/** A time input cannot show 24:00: midnight at the end of a day is 00:00 there, and 24:00 again when saved. */
const shown = (time: string) => (time === "24:00" ? "00:00" : time);
const saved = (i: BusinessInterval): BusinessInterval => (i.end === "00:00" ? { ...i, end: "24:00" } : i);

const isOvernight = (i: BusinessInterval) =>
  /^\d\d:\d\d$/.test(i.start) &&
  /^\d\d:\d\d$/.test(i.end) &&
  i.end !== "00:00" &&
  i.end !== "24:00" &&
  clockMinutes(i.end) <= clockMinutes(i.start);

/** The next hour after `time`, at most midnight. */
function hourAfter(time: string): string {
  const hour = Math.min(24, Number(time.slice(0, 2)) + 1);
  return `${String(hour).padStart(2, "0")}:${hour === 24 ? "00" : time.slice(3, 5)}`;
}

const holidayLabel = (date: string) =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, {
    timeZone: "UTC",
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  });

/** The API's issues by what they name: the zone, an interval (by its index), the week, the holidays. */
function placeIssues(error: unknown, holidays: string[]) {
  const placed = { timeZone: [] as string[], weekly: [] as string[], interval: {} as Record<number, string[]> };
  const holidayLines: string[] = [];
  let unplaced = 0;
  for (const { path, message } of validationIssues(error)) {
    const line = message.charAt(0).toUpperCase() + message.slice(1);
    if (path[0] === "timeZone") placed.timeZone.push(line);
    else if (path[0] === "weekly" && path[1] !== undefined) {
      const index = Number(path[1]);
      placed.interval[index] = [...(placed.interval[index] ?? []), line];
    } else if (path[0] === "weekly") placed.weekly.push(line);
    else if (path[0] === "holidays")
      holidayLines.push(path[1] !== undefined ? `${holidays[Number(path[1])] ?? ""}: ${message}` : line);
    else unplaced++;
  }
  return { ...placed, holidays: holidayLines, unplaced };
}

export function BusinessHoursDialog({ inbox, onClose, onSaved }: InboxDialogProps) {
  const [draft, setDraft] = useState<BusinessHours>(inbox.businessHours ?? starting);
  const [newHoliday, setNewHoliday] = useState("");
  const save = useAction(() => api.setBusinessHours(inbox.id, { ...draft, weekly: draft.weekly.map(saved) }), {
    key: inbox.id,
    onDone: onSaved,
  });
  const clear = useAction(() => api.clearBusinessHours(inbox.id), { key: inbox.id, onDone: onSaved });
  const issues = placeIssues(save.error, draft.holidays);
  const onlyFieldIssues = validationIssues(save.error).length > 0 && issues.unplaced === 0;
  const zones = timeZones(draft.timeZone);

  // After adding or removing, the keyboard focus goes where the change is (a selector, focused after the render).
  const form = useRef<HTMLFormElement>(null);
  const focusNext = useRef<string | null>(null);
  useEffect(() => {
    if (!focusNext.current) return;
    form.current?.querySelector<HTMLElement>(focusNext.current)?.focus();
    focusNext.current = null;
  });
  useFocusOnError(form, save.error);

  /** A change to the list's shape drops the last answer's issues: they name intervals by position. */
  const reshape = (next: BusinessHours) => {
    save.clearError();
    setDraft(next);
  };
  const setInterval = (index: number, patch: Partial<BusinessInterval>) =>
    setDraft({ ...draft, weekly: draft.weekly.map((i, j) => (j === index ? { ...i, ...patch } : i)) });
  const addInterval = (day: number) => {
    const latest = draft.weekly
      .filter((i) => i.day === day)
      .map((i) => i.end)
      .sort()
      .at(-1);
    const interval =
      latest === undefined
        ? { day, start: "09:00", end: "17:00" }
        : latest === "24:00" || latest === "00:00"
          ? { day, start: "00:00", end: "01:00" }
          : { day, start: latest, end: hourAfter(latest) };
    focusNext.current = `[data-interval="${draft.weekly.length}"] input`;
    reshape({ ...draft, weekly: [...draft.weekly, interval] });
  };
  const removeInterval = (index: number) => {
    focusNext.current = `[data-add-day="${draft.weekly[index]!.day}"]`;
    reshape({ ...draft, weekly: draft.weekly.filter((_, j) => j !== index) });
  };
  const addHoliday = () => {
    if (!newHoliday) return;
    if (!draft.holidays.includes(newHoliday)) reshape({ ...draft, holidays: [...draft.holidays, newHoliday].sort() });
    setNewHoliday("");
    focusNext.current = "#bh-new-holiday";
  };
  const removeHoliday = (date: string) => {
    focusNext.current = "#bh-new-holiday";
    reshape({ ...draft, holidays: draft.holidays.filter((d) => d !== date) });
  };

  return (
    <Dialog title={`Business hours · ${inbox.name}`} onClose={onClose} testid="hours-dialog" wide>
      <form
        class="form bh-form"
        ref={form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <div class="bh-state" data-testid="hours-state">
          {inbox.businessHours ? (
            <>
              <p>
                <span class="field-label">Now: </span>
                {hoursSummary(inbox.businessHours)}. SLA clocks in business hours pause outside them.
              </p>
              <button
                type="button"
                class="btn btn-small"
                onClick={() => void clear.run()}
                disabled={clear.busy}
                data-testid="hours-clear"
              >
                {clear.busy ? <Spinner label="Clearing…" /> : "Clear hours (count 24/7)"}
              </button>
            </>
          ) : (
            <p>
              <strong>Counts every hour (24/7).</strong> SLA clocks run around the clock. Set business hours below so
              they count only while your team is in.
            </p>
          )}
        </div>
        <ErrorNotice error={clear.error} />

        <div class="field">
          <label class="field-label" for="bh-zone">
            Time zone
          </label>
          <select
            id="bh-zone"
            value={draft.timeZone}
            onChange={(e) => setDraft({ ...draft, timeZone: e.currentTarget.value })}
            aria-invalid={issues.timeZone.length ? true : undefined}
            aria-describedby="bh-zone-hint bh-zone-issue"
            data-testid="hours-zone"
            data-autofocus
          >
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </select>
          <span class="field-hint" id="bh-zone-hint">
            The hours below are wall-clock times there; daylight saving is followed.
          </span>
          <FieldIssue id="bh-zone-issue" lines={issues.timeZone} />
        </div>

        <fieldset class="bh-week" aria-describedby="bh-week-issue" data-testid="hours-week">
          <legend class="field-label">Opening hours</legend>
          <div class="bh-presets">
            <span class="field-hint">Start from:</span>
            {PRESETS.map((preset) => (
              <button
                key={preset.label}
                type="button"
                class="btn btn-small"
                onClick={() => reshape({ ...draft, weekly: preset.weekly })}
                data-testid="hours-preset"
              >
                {preset.label}
              </button>
            ))}
          </div>
          {WEEK.map(({ day, name }) => {
            const intervals = draft.weekly.flatMap((interval, index) =>
              interval.day === day ? [{ interval, index }] : [],
            );
            const dayIssues = intervals.flatMap(({ index }) => issues.interval[index] ?? []);
            return (
              <fieldset key={day} class="bh-day" aria-labelledby={`bh-day-${day}`} data-day={day}>
                <span class="bh-day-name" id={`bh-day-${day}`}>
                  {name}
                </span>
                <div class="bh-intervals">
                  {intervals.length === 0 && <span class="bh-closed">Closed</span>}
                  {intervals.map(({ interval, index }) => (
                    <IntervalRow
                      key={index}
                      interval={interval}
                      index={index}
                      dayName={name}
                      invalid={!!issues.interval[index]}
                      onChange={(patch) => setInterval(index, patch)}
                      onRemove={() => removeInterval(index)}
                    />
                  ))}
                  <FieldIssue id={`bh-day-${day}-issue`} lines={dayIssues} />
                </div>
                <button
                  type="button"
                  class="btn btn-ghost btn-small"
                  onClick={() => addInterval(day)}
                  aria-label={`Add hours on ${name}`}
                  data-add-day={day}
                  data-testid="hours-add"
                >
                  + Add
                </button>
              </fieldset>
            );
          })}
          <span class="field-hint">An end at or before the start runs overnight into the next day.</span>
          <FieldIssue id="bh-week-issue" lines={issues.weekly} />
        </fieldset>

        <fieldset class="bh-holidays" aria-describedby="bh-holidays-issue" data-testid="hours-holidays">
          <legend class="field-label">Holidays</legend>
          <span class="field-hint" id="bh-holidays-hint">
            Days closed all day, as local dates in the time zone above.
          </span>
          {draft.holidays.length > 0 && (
            <ul class="bh-holiday-list">
              {draft.holidays.map((date) => (
                <li key={date} data-testid="hours-holiday" data-date={date}>
                  <time dateTime={date}>{holidayLabel(date)}</time>
                  <button
                    type="button"
                    class="icon-btn"
                    onClick={() => removeHoliday(date)}
                    aria-label={`Remove holiday ${date}`}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div class="bh-holiday-add">
            <input
              id="bh-new-holiday"
              type="date"
              value={newHoliday}
              onInput={(e) => setNewHoliday(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  addHoliday();
                }
              }}
              aria-label="Holiday date"
              aria-describedby="bh-holidays-hint bh-holidays-issue"
              aria-invalid={issues.holidays.length ? true : undefined}
              data-testid="hours-holiday-date"
            />
            <button
              type="button"
              class="btn btn-small"
              onClick={addHoliday}
              disabled={!newHoliday}
              data-testid="hours-holiday-add"
            >
              Add holiday
            </button>
          </div>
          <FieldIssue id="bh-holidays-issue" lines={issues.holidays} />
        </fieldset>

        <SaveErrorNotice error={save.error} atFields={onlyFieldIssues} />
        <DialogActions onCancel={onClose} label="Save hours" busyLabel="Saving…" busy={save.busy} testid="hours-save" />
      </form>
    </Dialog>
  );
}

const ENDS = [
  { key: "start", verb: "opens" },
  { key: "end", verb: "closes" },
] as const;

/** One opening of a day: its start and end times, a note when it runs overnight, and a way to remove it. */
function IntervalRow(props: {
  interval: BusinessInterval;
  index: number;
  dayName: string;
  invalid: boolean;
  onChange: (patch: Partial<BusinessInterval>) => void;
  onRemove: () => void;
}) {
  const { interval, dayName } = props;
  return (
    <div class="bh-interval" data-interval={props.index} data-testid="hours-interval">
      {ENDS.map(({ key, verb }, n) => (
        <Fragment key={key}>
          {n > 0 && <span aria-hidden="true">–</span>}
          <input
            type="time"
            value={shown(interval[key])}
            onInput={(e) => props.onChange({ [key]: e.currentTarget.value })}
            aria-label={`${dayName} ${verb}`}
            aria-invalid={props.invalid || undefined}
            aria-describedby={`bh-day-${interval.day}-issue`}
            data-testid={`hours-${key}`}
          />
        </Fragment>
      ))}
      {isOvernight(interval) && <span class="field-hint">next day</span>}
      <button
        type="button"
        class="icon-btn"
        onClick={props.onRemove}
        aria-label={`Remove ${dayName} ${interval.start}–${interval.end}`}
        data-testid="hours-remove"
      >
        ×
      </button>
    </div>
  );
}
