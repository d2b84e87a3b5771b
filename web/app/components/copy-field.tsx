/** A secret, link or snippet shown read-only, with a button that copies it. */
import { useRef, useState } from "preact/hooks";

export function CopyField({
  value,
  label,
  testid,
  multiline,
}: {
  value: string;
  label: string;
  testid: string;
  /** A code snippet: shown whole, wrapped, in a read-only text area. */
  multiline?: boolean;
}) {
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard permission (an insecure origin): the text is selected for a manual copy instead.
      ref.current?.select();
    }
  };
  const common = {
    ref,
    readOnly: true,
    value,
    "aria-label": label,
    "data-testid": testid,
    onFocus: (e: FocusEvent) => (e.currentTarget as HTMLInputElement).select(),
  };
  return (
    <div class={`copy-field${multiline ? " copy-field-multiline" : ""}`}>
      {multiline ? <textarea {...common} rows={3} spellcheck={false} /> : <input {...common} />}
      <button type="button" class="btn btn-small" onClick={() => void copy()} data-testid={`${testid}-copy`}>
        {copied ? "✓ Copied" : "Copy"}
      </button>
    </div>
  );
}
