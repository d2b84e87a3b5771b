/** Editing a (controlled) textarea from outside its component, the way typing would. */

/**
 * Inserts `text` at the caret (replacing any selection), puts the caret after
 * it and fires an `input` event, so the owner's `onInput` stores the new value.
 * When the textarea already has text before the caret, a blank line separates
 * a multi-line insert from it.
 */
export function insertAtCaret(el: HTMLTextAreaElement, text: string): void {
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? start;
  const before = el.value.slice(0, start);
  const gap =
    before && text.includes("\n") && !before.endsWith("\n\n")
      ? before.endsWith("\n")
        ? "\n"
        : "\n\n"
      : before && !/\s$/.test(before)
        ? " "
        : "";
  const insert = gap + text;
  el.value = before + insert + el.value.slice(end);
  const caret = start + insert.length;
  el.setSelectionRange(caret, caret);
  el.dispatchEvent(new Event("input", { bubbles: true }));
  el.focus();
}
