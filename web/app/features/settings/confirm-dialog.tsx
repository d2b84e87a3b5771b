/** "Are you sure?" for deletions: the action runs in the dialog, which shows its error if it fails. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { Dialog, ErrorNotice } from "../../components/ui";
import { DialogActions } from "../../components/dialog-actions";

export function ConfirmDialog(props: {
  title: string;
  confirm: string;
  /** Shown while the action runs; "Deleting…" unless told. */
  busyLabel?: string;
  children: ComponentChildren;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={props.title} onClose={props.onClose} testid="confirm-dialog">
      <p class="dialog-text">{props.children}</p>
      <ErrorNotice error={error} />
      <DialogActions
        onCancel={props.onClose}
        label={props.confirm}
        busyLabel={props.busyLabel ?? "Deleting…"}
        busy={busy}
        testid="confirm"
        onConfirm={() => void run()}
        danger
        focusCancel
      />
    </Dialog>
  );
}
