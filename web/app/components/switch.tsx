/**
 * An on/off switch: a checkbox with role="switch", drawn as a track. Put it in
 * a `label.switch-row` beside its words (or give it `label` when it has none).
 */
export function Switch(props: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  /** Its name for assistive technology when no visible words say it. */
  label?: string;
  testid?: string;
}) {
  return (
    <span class="switch">
      <input
        type="checkbox"
        role="switch"
        checked={props.checked}
        aria-checked={props.checked}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
        disabled={props.disabled}
        aria-label={props.label}
        data-testid={props.testid}
      />
      <span class="switch-track" aria-hidden="true" />
    </span>
  );
}
