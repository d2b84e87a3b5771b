import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";
import { ErrorNotice } from "./ui";

/** A form field's own problem (from the API or a local check), under the field and announced when it appears. */
export function FieldIssue({ id, lines }: { id: string; lines?: string[] }) {
  return (
    <p class="field-issue" id={id} role="alert" data-testid="field-issue" hidden={!lines?.length}>
      {lines?.join(" ")}
    </p>
  );
}

/**
 * A refused save under a form: when every issue is shown at its field, a pointer
 * to them (the draft is kept); otherwise the error itself.
 */
export function SaveErrorNotice({ error, atFields }: { error: unknown; atFields: boolean }) {
  return atFields ? (
    <p class="notice notice-error" role="alert" tabIndex={-1} data-testid="error">
      Not saved: see the marked fields. Your changes are still here.
    </p>
  ) : (
    <ErrorNotice error={error} />
  );
}

/** When a save fails, focus the first field marked invalid (or the error notice), so the keyboard is where the problem is. */
export function useFocusOnError(form: RefObject<HTMLElement | null>, error: unknown) {
  useEffect(() => {
    if (error) form.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-testid="error"]')?.focus();
  }, [error]);
}
