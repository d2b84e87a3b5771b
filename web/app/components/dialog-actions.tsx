/** A dialog's footer: Cancel, then the main button, which shows a spinner while the dialog works. */
import { Spinner } from "./ui";

export function DialogActions(props: {
  onCancel: () => void;
  /** The main button's words, e.g. "Create team". */
  label: string;
  /** Shown with a spinner while `busy`, e.g. "Saving…". */
  busyLabel: string;
  busy: boolean;
  disabled?: boolean;
  testid?: string;
  /** Without it the main button submits the dialog's form; with it, it runs this (a confirmation). */
  onConfirm?: () => void;
  danger?: boolean;
  /** Focus Cancel when the dialog opens (the safe choice of a confirmation). */
  focusCancel?: boolean;
  /** The first button's words when "Cancel" is not what it does (e.g. "Close" once everything is saved). */
  cancelLabel?: string;
}) {
  return (
    <div class="form-actions">
      <button type="button" class="btn" onClick={props.onCancel} data-autofocus={props.focusCancel || undefined}>
        {props.cancelLabel ?? "Cancel"}
      </button>
      <button
        type={props.onConfirm ? "button" : "submit"}
        class={`btn ${props.danger ? "btn-danger" : "btn-primary"}`}
        onClick={props.onConfirm}
        disabled={props.busy || props.disabled}
        data-testid={props.testid}
      >
        {props.busy ? <Spinner label={props.busyLabel} /> : props.label}
      </button>
    </div>
  );
}
