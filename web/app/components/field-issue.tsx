/** A form field's own problem (from the API or a local check), under the field and announced when it appears. */
export function FieldIssue({ id, lines }: { id: string; lines?: string[] }) {
  return (
    <p class="field-issue" id={id} role="alert" data-testid="field-issue" hidden={!lines?.length}>
      {lines?.join(" ")}
    </p>
  );
}
