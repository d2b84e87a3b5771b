/** A secret or link shown once, read-only, with a button that copies it. */
import { useState } from "preact/hooks";

export function CopyField({ value, label, testid }: { value: string; label: string; testid: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard permission (an insecure origin): the text is selected for a manual copy instead.
      (document.querySelector(`[data-testid="${testid}"]`) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div class="copy-field">
      <input readOnly value={value} aria-label={label} data-testid={testid} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" class="btn btn-small" onClick={() => void copy()} data-testid={`${testid}-copy`}>
        {copied ? "✓ Copied" : "Copy"}
      </button>
    </div>
  );
}
