/**
 * What the composer tells the room while the agent writes: `typing` on a
 * keystroke, `viewing` after a pause (or when the box is emptied, sent or
 * left), and the draft itself, at most one frame per 150 ms with the final
 * state always sent after the last keystroke. Typing says whether it is a
 * reply or a note: only a reply shows the customer that someone is typing.
 */
import { MAX_DRAFT_CHARS, type ClientFrame, type PresenceState, type TypingKind } from "../../../../worker/contract";

type Frame = Exclude<ClientFrame, { type: "hello" | "ping" }>;

export const DRAFT_INTERVAL_MS = 150;
export const IDLE_AFTER_MS = 4_000;

export class LiveDraft {
  #presence: PresenceState = "viewing";
  #kind: TypingKind = "reply";
  #draft = "";
  #sentDraft = "";
  #lastDraftAt = 0;
  #draftTimer: ReturnType<typeof setTimeout> | null = null;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly send: (frame: Frame) => void) {}

  /** The agent changed the text (typed, pasted, switched tabs) of a reply or a note. */
  input(body: string, kind: TypingKind = "reply"): void {
    if (kind !== this.#kind && this.#presence === "typing") {
      this.#kind = kind;
      if (body.trim()) this.#sendPresence();
    }
    this.#kind = kind;
    this.#draft = body.trim() ? body.slice(0, MAX_DRAFT_CHARS) : "";
    if (!this.#draft) {
      this.#flushDraft();
      this.#setPresence("viewing");
      return;
    }
    this.#setPresence("typing");
    this.#restartIdle();
    this.#scheduleDraft();
  }

  /** The composer lost focus: no longer typing; the draft stays visible to the others. */
  blur(): void {
    this.#flushDraft();
    this.#setPresence("viewing");
  }

  /** The draft went out as a message: the room clears it on its side too. */
  sent(): void {
    this.#draft = "";
    this.#flushDraft();
    this.#setPresence("viewing");
  }

  /** A (re)joined room knows nothing of this tab yet: tell it the current state. */
  resync(): void {
    this.#sentDraft = "";
    if (this.#draft) this.#flushDraft();
    if (this.#presence === "typing") this.#sendPresence();
  }

  dispose(): void {
    this.#clearTimers();
  }

  #setPresence(state: PresenceState): void {
    if (state === "viewing" && this.#idleTimer) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
    if (state === this.#presence) return;
    this.#presence = state;
    this.#sendPresence();
  }

  #sendPresence(): void {
    const state = this.#presence;
    this.send(state === "typing" ? { type: "presence", state, kind: this.#kind } : { type: "presence", state });
  }

  #restartIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      this.#flushDraft();
      this.#setPresence("viewing");
    }, IDLE_AFTER_MS);
  }

  #scheduleDraft(): void {
    if (this.#draftTimer) return;
    const wait = this.#lastDraftAt + DRAFT_INTERVAL_MS - Date.now();
    if (wait <= 0) this.#flushDraft();
    else this.#draftTimer = setTimeout(() => this.#flushDraft(), wait);
  }

  #flushDraft(): void {
    if (this.#draftTimer) {
      clearTimeout(this.#draftTimer);
      this.#draftTimer = null;
    }
    if (this.#draft === this.#sentDraft) return;
    this.#sentDraft = this.#draft;
    this.#lastDraftAt = Date.now();
    this.send({ type: "draft", body: this.#draft });
  }

  #clearTimers(): void {
    if (this.#draftTimer) clearTimeout(this.#draftTimer);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#draftTimer = this.#idleTimer = null;
  }
}
