/**
 * Starts a task at most once per `spacingMs`: the first request of a quiet
 * spell at once, later ones folded into one start when the spacing is up (the
 * task reads the latest state then). Rooms space their publications to the
 * lists and a large room's draft frames with it.
 */
export class Spaced {
  #lastAt = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #waiting = false;

  constructor(
    private readonly spacingMs: number,
    private readonly start: () => void,
  ) {}

  /** Asks for a start; `now` skips the spacing. */
  request(now = false): void {
    if (this.#waiting && !(now && this.#timer)) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#waiting = true;
    const wait = now ? 0 : this.#lastAt + this.spacingMs - Date.now();
    if (wait <= 0) {
      this.#fire();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#fire();
    }, wait);
  }

  /** When the task last started. */
  get lastAt(): number {
    return this.#lastAt;
  }

  #fire(): void {
    this.#waiting = false;
    this.#lastAt = Date.now();
    this.start();
  }
}
