/** A checkbox with its label and a one-line explanation under it (the hint's element has the id `${id}-hint`). */
export function CheckChoice(props: {
  id: string;
  label: string;
  hint: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  /** More ids describing it, e.g. the field's issue. */
  describedBy?: string;
  testid?: string;
}) {
  const hintId = `${props.id}-hint`;
  return (
    <label class={`widget-choice${props.disabled ? " is-disabled" : ""}`}>
      <input
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
        aria-describedby={props.describedBy ? `${hintId} ${props.describedBy}` : hintId}
        data-testid={props.testid}
      />
      <span>
        <span class="widget-choice-label">{props.label}</span>
        <span class="field-hint" id={hintId}>
          {props.hint}
        </span>
      </span>
    </label>
  );
}
