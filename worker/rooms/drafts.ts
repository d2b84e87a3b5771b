/**
 * Agents' unsent drafts in one room. They stream to the other agents at once;
 * they reach the room's storage (so they outlive hibernation) at most once a
 * second, since a write per keystroke cost more than the fan-out itself.
 */
import type { Draft } from "../contract";

type Entry = Omit<Draft, "userId">;

const PREFIX = "draft:";

export class Drafts {
  #storage: DurableObjectStorage;
  #saveAfterMs: number;
  /** Read from storage once; every caller awaits the same read, so none overwrites another's change. */
  #drafts: Promise<Map<string, Entry>> | null = null;
  #unsaved = new Map<string, Entry>();
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(storage: DurableObjectStorage, saveAfterMs = 1000) {
    this.#storage = storage;
    this.#saveAfterMs = saveAfterMs;
  }

  /** Every draft in the room, for a socket's welcome. */
  async list(): Promise<Draft[]> {
    return [...(await this.#map())].map(([userId, d]) => ({ userId, name: d.name, body: d.body }));
  }

  /** Sets a user's draft, or clears it with an empty body; false when that changes nothing. */
  async set(userId: string, name: string, body: string): Promise<boolean> {
    const drafts = await this.#map();
    if ((drafts.get(userId)?.body ?? "") === body) return false;
    if (body) {
      drafts.set(userId, { name, body });
      this.#unsaved.set(userId, { name, body });
      this.#saveSoon();
    } else {
      drafts.delete(userId);
      this.#unsaved.delete(userId);
      void this.#storage.delete(PREFIX + userId, { allowUnconfirmed: true });
    }
    return true;
  }

  #map(): Promise<Map<string, Entry>> {
    this.#drafts ??= this.#storage
      .list<Entry>({ prefix: PREFIX })
      .then((stored) => new Map([...stored].map(([key, d]) => [key.slice(PREFIX.length), d])));
    return this.#drafts;
  }

  /** The pending timer keeps the object awake until the write is done. */
  #saveSoon(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      if (!this.#unsaved.size) return;
      const entries = Object.fromEntries([...this.#unsaved].map(([userId, d]) => [PREFIX + userId, d]));
      this.#unsaved.clear();
      void this.#storage.put(entries, { allowUnconfirmed: true });
    }, this.#saveAfterMs);
  }
}
