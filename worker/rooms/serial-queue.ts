/**
 * Runs async tasks one at a time, in arrival order.
 *
 * A Durable Object's input gate only holds while its own storage is busy; while
 * it awaits D1, other calls run in between. Every write of a room goes through
 * one of these, so "check, write, acknowledge" is never interleaved.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(task).finally(() => this.#pending--);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#pending;
  }
}
