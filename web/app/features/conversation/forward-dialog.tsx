/**
 * "Forward…": sends the conversation's thread by email to people outside the
 * inbox (SPEC §6.7). Addresses become chips as they are typed (Enter, comma,
 * space or leaving the field); an address that is not one is marked at once,
 * and at most ten go. Earlier recipients of the workspace are suggested in a
 * listbox the keyboard moves through (↑/↓, Enter picks, Escape closes), the
 * focus staying in the field. Internal notes go only when ticked.
 */
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { Email, type Item, MAX_FORWARD_MESSAGE_CHARS, MAX_FORWARD_RECIPIENTS } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { DialogActions } from "../../components/dialog-actions";
import { Dialog, ErrorNotice } from "../../components/ui";
import { useAction } from "../../hooks/resource";

type Chip = { address: string; valid: boolean };

/** The address as the server keeps it (trimmed, lower-case) and whether it is one. */
function chipOf(text: string): Chip {
  const parsed = Email.safeParse(text);
  return parsed.success ? { address: parsed.data, valid: true } : { address: text.trim(), valid: false };
}

export function ForwardDialog(props: { conversationId: string; onClose: () => void; onSent: (item: Item) => void }) {
  const [chips, setChips] = useState<Chip[]>([]);
  const [typed, setTyped] = useState("");
  const [message, setMessage] = useState("");
  const [includeNotes, setIncludeNotes] = useState(false);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [listOpen, setListOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [tried, setTried] = useState(false);
  const key = useRef(crypto.randomUUID());
  const input = useRef<HTMLInputElement>(null);
  const ids = useId();
  const listId = `${ids}-list`;
  const issueId = `${ids}-issue`;

  const chosen = new Set(chips.map((c) => c.address));
  const options = suggestions.filter((s) => !chosen.has(s));
  const shown = listOpen && options.length > 0;
  const full = chips.length >= MAX_FORWARD_RECIPIENTS;

  // Suggestions for what is typed, newest answer wins; the field works the same without them.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api
        .forwardRecipients(typed.trim())
        .then((r) => current && setSuggestions(r.items.map((i) => i.email)))
        .catch(() => current && setSuggestions([]));
    }, 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [typed]);

  /** Makes chips of `texts`; what does not fit stays in the field (before `rest`, what is still being typed). */
  const add = (texts: string[], rest = "") => {
    const next = [...chips];
    const left: string[] = [];
    for (const text of texts.map((t) => t.trim()).filter(Boolean)) {
      const chip = chipOf(text);
      if (next.some((c) => c.address === chip.address)) continue;
      if (next.length < MAX_FORWARD_RECIPIENTS) next.push(chip);
      else left.push(text);
    }
    setChips(next);
    setTyped([...left, rest].filter(Boolean).join(", "));
    setActive(-1);
  };
  const remove = (address: string) => {
    setChips((list) => list.filter((c) => c.address !== address));
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (shown && e.key === "ArrowDown") {
      setActive((active + 1) % options.length);
    } else if (shown && e.key === "ArrowUp") {
      setActive((active + options.length - 1) % options.length);
    } else if (e.key === "Enter" && shown && active >= 0) {
      add([options[active]!]);
    } else if (e.key === "Escape" && shown) {
      // The list closes; the dialog stays (its own Escape listener is on the document).
      setListOpen(false);
      setActive(-1);
      e.stopPropagation();
    } else if ((e.key === "Enter" || e.key === ",") && typed.trim()) {
      add([typed]);
    } else if (e.key === "Backspace" && !typed && chips.length) {
      setChips(chips.slice(0, -1));
    } else return;
    e.preventDefault();
  };
  const onInput = (value: string) => {
    // A pasted list, or a separator typed: what stands before it becomes chips.
    const parts = value.split(/[,;\s]+/);
    if (parts.length > 1 && !full) add(parts.slice(0, -1), parts.at(-1));
    else setTyped(value);
    // Reset here, not in an effect: an effect runs a frame later and could undo an arrow key pressed meanwhile.
    setActive(-1);
    setListOpen(true);
  };

  const invalid = chips.filter((c) => !c.valid);
  const issue = invalid.length
    ? `${invalid.map((c) => c.address).join(", ")} ${invalid.length === 1 ? "is not an email address" : "are not email addresses"}: remove ${invalid.length === 1 ? "it" : "them"} or correct ${invalid.length === 1 ? "it" : "them"}.`
    : full && typed.trim()
      ? `At most ${MAX_FORWARD_RECIPIENTS} addresses: remove one to add another.`
      : tried && !chips.length
        ? "Add at least one address."
        : "";

  const send = useAction(
    () =>
      api.forward(
        props.conversationId,
        { to: chips.map((c) => c.address), message: message.trim() || undefined, includeNotes },
        key.current,
      ),
    { onDone: (item) => props.onSent(item) },
  );
  const submit = (e: Event) => {
    e.preventDefault();
    setTried(true);
    const pending = typed.trim() ? [...chips, chipOf(typed)] : chips;
    if (typed.trim()) add([typed]);
    if (!pending.length || pending.length > MAX_FORWARD_RECIPIENTS || pending.some((c) => !c.valid) || send.busy) {
      input.current?.focus();
      return;
    }
    void send.run();
  };

  return (
    <Dialog title="Forward conversation" onClose={props.onClose} testid="forward-dialog">
      <form onSubmit={submit} class="forward-form" noValidate>
        <div class="field">
          <label class="field-label" for={`${ids}-to`}>
            To
          </label>
          {/* biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut into the field; the field itself takes the keyboard */}
          <div
            class={`forward-recipients${issue ? " forward-recipients-invalid" : ""}`}
            onMouseDown={(e) => {
              if (e.target === e.currentTarget) {
                e.preventDefault();
                input.current?.focus();
              }
            }}
          >
            <ul class="forward-chips" aria-label="Recipients">
              {chips.map((c) => (
                <li
                  key={c.address}
                  class={`forward-chip${c.valid ? "" : " forward-chip-invalid"}`}
                  data-testid="forward-chip"
                  data-valid={c.valid}
                >
                  <span>{c.address}</span>
                  <button
                    type="button"
                    class="forward-chip-remove"
                    aria-label={`Remove ${c.address}`}
                    onClick={() => remove(c.address)}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <input
              ref={input}
              id={`${ids}-to`}
              class="forward-input"
              type="text"
              inputMode="email"
              autoComplete="off"
              spellcheck={false}
              role="combobox"
              aria-autocomplete="list"
              aria-expanded={shown}
              aria-controls={listId}
              aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
              aria-invalid={issue ? true : undefined}
              aria-describedby={issue ? issueId : undefined}
              placeholder={chips.length ? "" : "name@example.com"}
              value={typed}
              data-autofocus
              data-testid="forward-to"
              onInput={(e) => onInput(e.currentTarget.value)}
              onKeyDown={onKeyDown}
              onFocus={() => setListOpen(true)}
              onBlur={() => {
                // A click on a suggestion lands first (it keeps the focus here); then what is left becomes a chip.
                setListOpen(false);
                setActive(-1);
                if (typed.trim()) add([typed]);
              }}
            />
            {shown && (
              <ul class="forward-suggestions" id={listId} role="listbox" aria-label="Earlier recipients">
                {options.map((address, i) => (
                  // biome-ignore lint/a11y/useFocusableInteractive: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
                  <li
                    key={address}
                    id={`${listId}-${i}`}
                    role="option"
                    aria-selected={i === active}
                    class={i === active ? "active" : undefined}
                    data-testid="forward-suggestion"
                    onMouseDown={(e) => {
                      e.preventDefault();
                      add([address]);
                    }}
                  >
                    {address}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <p class="field-issue" id={issueId} role="alert" data-testid="forward-issue" hidden={!issue}>
            {issue}
          </p>
          <span class="field-hint">
            Up to {MAX_FORWARD_RECIPIENTS} addresses. Their answers arrive here as internal notes; the customer never
            sees them.
          </span>
        </div>
        <label class="field">
          <span class="field-label">Message (optional)</span>
          <textarea
            rows={3}
            maxLength={MAX_FORWARD_MESSAGE_CHARS}
            value={message}
            data-testid="forward-message"
            onInput={(e) => setMessage(e.currentTarget.value)}
          />
        </label>
        <label class="forward-notes">
          <input
            type="checkbox"
            checked={includeNotes}
            data-testid="forward-include-notes"
            onChange={(e) => setIncludeNotes(e.currentTarget.checked)}
          />
          Include internal notes
        </label>
        {send.error ? <ErrorNotice error={send.error} onDismiss={send.clearError} /> : null}
        <DialogActions
          onCancel={props.onClose}
          label="Send"
          busyLabel="Sending…"
          busy={send.busy}
          testid="forward-send"
        />
      </form>
    </Dialog>
  );
}
