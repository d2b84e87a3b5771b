/** A labelled `<select>` over a list of options: the one way settings and dialogs offer a choice. */

export type SelectOption<V extends string> = { value: V; label: string };

type SelectProps<V extends string> = {
  value: V;
  options: readonly SelectOption<V>[];
  onChange: (value: V) => void;
  testid?: string;
  disabled?: boolean;
  required?: boolean;
  /** Focused when its dialog opens. */
  autofocus?: boolean;
};

/** A bare `<select>`; give it a name with `aria-label` when no `SelectField` label surrounds it. */
export function Select<V extends string>(props: SelectProps<V> & { "aria-label"?: string }) {
  return (
    <select
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value as V)}
      disabled={props.disabled}
      required={props.required}
      aria-label={props["aria-label"]}
      data-testid={props.testid}
      data-autofocus={props.autofocus || undefined}
    >
      {props.options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/** A form field: the label above a `Select`, and an optional hint under it. */
export function SelectField<V extends string>({
  label,
  hint,
  ...select
}: SelectProps<V> & { label: string; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <Select {...select} />
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}
