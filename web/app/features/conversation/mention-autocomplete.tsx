/**
 * @mention autocomplete for a textarea (the note composer).
 *
 *   const input = useRef<HTMLTextAreaElement>(null);
 *   const mentions = useMentions(input, conversation.inboxId, { enabled: kind === "note" });
 *   …
 *   <textarea ref={input} value={body} onInput={…} />
 *   {mentions.popup}
 *   …
 *   api.postMessage(id, { kind: "note", body, mentions: mentions.mentionIds(body) }, key);
 *
 * Typing `@` opens a list of the teammates who can see the inbox (not you),
 * filtered as you type; ↑/↓ move, Enter or Tab inserts `@Full Name `, Escape
 * closes, a click inserts too. The hook edits the textarea itself and then
 * fires an `input` event, so a controlled textarea's `onInput` sees the new
 * text; its own keydown listener runs first while the list is open, so the
 * composer's shortcuts (Ctrl+Enter) keep working and plain Enter/Tab/arrows
 * go to the list. The popup is `position: fixed` at the caret: render it
 * anywhere (not inside a transformed element).
 */
import type { CSSProperties, JSX, RefObject } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { User } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Avatar } from "../../components/ui";
import { useResource } from "../../hooks/resource";
import { useSession } from "../../session";
import { filterPeople, insertMention, mentionQueryAt, mentionedIds, type Person } from "../../../lib/mentions";

export type Mentions = {
  /** The suggestion list, or null when closed; render it anywhere in the composer. */
  popup: JSX.Element | null;
  /** The ids of the people `body` still mentions with their full `@Name`, for `mentions` in the note's POST. */
  mentionIds: (body: string) => string[];
  /** Whether the list is open (e.g. to hide a hint). */
  open: boolean;
};

type Typing = { start: number; caret: number; query: string };

/** Who can see each inbox, as last read: shown at once when the note tab opens again, refreshed meanwhile. */
const seenBy = new Map<string, User[]>();

export function useMentions(
  textareaRef: RefObject<HTMLTextAreaElement | null>,
  inboxId: string,
  options: { enabled?: boolean } = {},
): Mentions {
  const enabled = options.enabled ?? true;
  const { me } = useSession();
  const others = useResource(enabled && inboxId ? inboxId : null, () =>
    api.users({ inboxId }).then((r) => {
      const found = r.items.filter((u) => u.id !== me.user.id);
      seenBy.set(inboxId, found);
      return found;
    }),
  );
  const people: User[] | null = others.data ?? seenBy.get(inboxId) ?? (others.error ? [] : null);
  const [typing, setTyping] = useState<Typing | null>(null);
  const [active, setActive] = useState(0);
  const picked = useRef(new Map<string, Person>());
  /** The `@` the agent closed the list at, so it stays closed while they keep typing there. */
  const dismissedAt = useRef<number | null>(null);

  const matches = typing && people ? filterPeople(people, typing.query) : [];
  const noMatch = typing !== null && people !== null && matches.length === 0;
  // A space after a name that matches no one means the agent moved on: close.
  const open = enabled && typing !== null && !(noMatch && typing.query.includes(" "));
  const state = useRef({ open, matches, active, typing });
  state.current = { open, matches, active: Math.min(active, Math.max(0, matches.length - 1)), typing };

  const choose = (user: User) => {
    const el = textareaRef.current;
    const t = state.current.typing;
    if (!el || !t) return;
    const next = insertMention(el.value, t.start, t.caret, user.name);
    picked.current.set(user.id, { id: user.id, name: user.name });
    el.value = next.text;
    el.setSelectionRange(next.caret, next.caret);
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.focus();
    setTyping(null);
  };
  const chooseRef = useRef(choose);
  chooseRef.current = choose;

  useEffect(() => {
    const el = textareaRef.current;
    if (!el || !enabled) {
      setTyping(null);
      return;
    }
    const read = () => {
      const caret = el.selectionStart;
      const found = el.selectionEnd === caret ? mentionQueryAt(el.value, caret) : null;
      if (!found || found.start !== dismissedAt.current) dismissedAt.current = null;
      if (!found || dismissedAt.current !== null) return setTyping(null);
      const prev = state.current.typing;
      if (!prev || prev.start !== found.start || prev.query !== found.query) setActive(0);
      setTyping({ start: found.start, caret, query: found.query });
    };
    const onKeyDown = (e: KeyboardEvent) => {
      const s = state.current;
      if (!s.open || e.altKey || e.ctrlKey || e.metaKey) return;
      const n = s.matches.length;
      let handled = true;
      if (e.key === "ArrowDown" && n) setActive((s.active + 1) % n);
      else if (e.key === "ArrowUp" && n) setActive((s.active + n - 1) % n);
      else if ((e.key === "Enter" || e.key === "Tab") && n && !e.shiftKey) chooseRef.current(s.matches[s.active]!);
      else if (e.key === "Escape") {
        dismissedAt.current = s.typing?.start ?? null;
        setTyping(null);
      } else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    };
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End") read();
    };
    // Closing on blur waits a moment: a click on the list moves focus first.
    const onBlur = () => setTimeout(() => document.activeElement !== el && setTyping(null), 150);
    el.addEventListener("input", read);
    el.addEventListener("click", read);
    el.addEventListener("keyup", onKeyUp);
    el.addEventListener("keydown", onKeyDown, true);
    el.addEventListener("blur", onBlur);
    return () => {
      el.removeEventListener("input", read);
      el.removeEventListener("click", read);
      el.removeEventListener("keyup", onKeyUp);
      el.removeEventListener("keydown", onKeyDown, true);
      el.removeEventListener("blur", onBlur);
    };
  }, [textareaRef.current, enabled]);

  const mentionIds = (body: string) => mentionedIds(body, [...(people ?? []), ...picked.current.values()]);

  // Focus stays in the textarea: it points screen readers at the highlighted teammate.
  const listId = useId();
  const highlighted = open && typing && matches.length > 0 ? `${listId}-${state.current.active}` : null;
  useEffect(() => {
    const el = textareaRef.current;
    if (!el) return;
    if (highlighted) {
      el.setAttribute("aria-controls", listId);
      el.setAttribute("aria-activedescendant", highlighted);
    } else {
      el.removeAttribute("aria-controls");
      el.removeAttribute("aria-activedescendant");
    }
  }, [highlighted]);

  if (!open || !typing || !textareaRef.current) return { popup: null, mentionIds, open: false };
  const el = textareaRef.current;
  const at = caretPoint(el, typing.start);
  const current = state.current.active;
  const style: CSSProperties = { left: `${Math.min(at.left, window.innerWidth - 300)}px` };
  // The composer sits low on the page: open above the caret when there is room.
  if (at.top > 280) style.bottom = `${window.innerHeight - at.top + 6}px`;
  else style.top = `${at.top + at.height + 6}px`;

  const popup = (
    <div
      class="mention-popup"
      style={style}
      role="listbox"
      id={listId}
      aria-label="Mention a teammate"
      data-testid="mention-popup"
      onMouseDown={(e) => e.preventDefault()}
    >
      <div class="mention-head">Mention a teammate{typing.query ? "" : " who can see this inbox"}</div>
      {people === null ? (
        <div class="mention-empty">Loading teammates…</div>
      ) : matches.length === 0 ? (
        <div class="mention-empty">
          {people.length === 0 ? "Nobody else can see this inbox" : `No teammate matches “${typing.query}”`}
        </div>
      ) : (
        matches.map((u, i) => (
          // biome-ignore lint/a11y/useFocusableInteractive: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
          // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox pattern: focus stays in the input (aria-activedescendant), which handles the keys
          <div
            key={u.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === current}
            class={`mention-option${i === current ? " is-active" : ""}`}
            onMouseMove={() => i !== current && setActive(i)}
            onClick={() => choose(u)}
            data-testid="mention-option"
            data-user-id={u.id}
          >
            <Avatar name={u.name} size={24} />
            <span class="mention-name">{u.name}</span>
            <span class="mention-email">{u.email}</span>
          </div>
        ))
      )}
      <div class="mention-foot">
        <kbd>↑</kbd>
        <kbd>↓</kbd> move · <kbd>Enter</kbd> mention · <kbd>Esc</kbd> close
      </div>
    </div>
  );
  return { popup, mentionIds, open: true };
}

/** Where character `index` of a textarea is drawn on screen, via an off-screen copy of its text and style. */
function caretPoint(el: HTMLTextAreaElement, index: number): { left: number; top: number; height: number } {
  const cs = getComputedStyle(el);
  const mirror = document.createElement("div");
  const props = [
    "boxSizing",
    "width",
    "borderTopWidth",
    "borderRightWidth",
    "borderBottomWidth",
    "borderLeftWidth",
    "paddingTop",
    "paddingRight",
    "paddingBottom",
    "paddingLeft",
    "fontFamily",
    "fontSize",
    "fontWeight",
    "fontStyle",
    "letterSpacing",
    "lineHeight",
    "textTransform",
    "wordSpacing",
    "tabSize",
  ] as const;
  for (const p of props) mirror.style[p] = cs[p];
  Object.assign(mirror.style, {
    position: "absolute",
    visibility: "hidden",
    top: "0",
    left: "-9999px",
    whiteSpace: "pre-wrap",
    overflowWrap: "break-word",
  });
  mirror.textContent = el.value.slice(0, index);
  const marker = document.createElement("span");
  marker.textContent = el.value.slice(index, index + 1) || ".";
  mirror.appendChild(marker);
  document.body.appendChild(mirror);
  const rect = el.getBoundingClientRect();
  const lineHeight = parseFloat(cs.lineHeight) || parseFloat(cs.fontSize) * 1.4;
  const point = {
    left: rect.left + marker.offsetLeft - el.scrollLeft,
    top: rect.top + marker.offsetTop - el.scrollTop,
    height: lineHeight,
  };
  document.body.removeChild(mirror);
  // Keep it inside the textarea's box even when the caret line is scrolled out of view.
  point.top = Math.max(rect.top, Math.min(point.top, rect.bottom - lineHeight));
  return point;
}
