/**
 * A token bucket per socket for the frames a client sends, pure. A client
 * streaming drafts stays well inside it; a burst past it loses frames (the
 * client is told once), and one that keeps pushing is cut off.
 *
 * The state lives in memory, keyed by socket: hibernation forgets it, which
 * only ever forgives, and a room asleep is not being flooded.
 */

export interface FrameLimits {
  /** Frames accepted per second, sustained. */
  perSecond: number;
  /** Frames accepted at once after a quiet spell. */
  burst: number;
  /** Dropped frames tolerated at once before the socket is closed; forgiven at `perSecond`. */
  dropsBeforeClose: number;
}

/** Generous for drafts (the composer sends one per 150 ms at most). */
export const FRAME_LIMITS: FrameLimits = { perSecond: 20, burst: 40, dropsBeforeClose: 100 };

/**
 * What to do with a frame: handle it, drop it (`warn`: answered with one error
 * frame, at most once per WARN_EVERY_MS), or close the socket.
 */
export const WARN_EVERY_MS = 1000;

export type Verdict = "accept" | "warn" | "drop" | "close";

export class FrameBudget {
  #tokens: number;
  #drops = 0;
  #warnedAt = Number.NEGATIVE_INFINITY;
  #at: number;

  constructor(
    private readonly limits: FrameLimits,
    now: number,
  ) {
    this.#tokens = limits.burst;
    this.#at = now;
  }

  /** Spends one frame at `now` (milliseconds). */
  take(now: number): Verdict {
    const refill = (Math.max(0, now - this.#at) / 1000) * this.limits.perSecond;
    this.#at = Math.max(this.#at, now);
    this.#tokens = Math.min(this.limits.burst, this.#tokens + refill);
    this.#drops = Math.max(0, this.#drops - refill);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return "accept";
    }
    this.#drops += 1;
    if (this.#drops > this.limits.dropsBeforeClose) return "close";
    if (now - this.#warnedAt < WARN_EVERY_MS) return "drop";
    this.#warnedAt = now;
    return "warn";
  }
}

/** One budget per socket, made on its first frame. */
export class FrameBudgets {
  #budgets = new WeakMap<object, FrameBudget>();

  constructor(private readonly limits: FrameLimits = FRAME_LIMITS) {}

  take(socket: object, now = Date.now()): Verdict {
    let budget = this.#budgets.get(socket);
    if (!budget) {
      budget = new FrameBudget(this.limits, now);
      this.#budgets.set(socket, budget);
    }
    return budget.take(now);
  }
}
