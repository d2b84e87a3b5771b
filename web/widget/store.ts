/**
 * Where the widget keeps the visitor's conversation (id, contact token,
 * what they have seen) and the outbox, so they survive reloads and are shared
 * by tabs.
 *
 * First choice: the frame's own localStorage (Switchboard's origin). A browser
 * that blocks third-party storage refuses it to the frame; then the loader
 * keeps the same keys in the host page's localStorage and relays changes both
 * ways (`init.store`, `store`, `stored` messages).
 */

export interface Store {
  get<T>(key: string): T | null;
  /** `null` removes the key. */
  set(key: string, value: unknown): void;
  /** Calls `fn` with a key another tab changed. */
  onChange(fn: (key: string) => void): void;
}

function parse<T>(text: string | null | undefined): T | null {
  try {
    return JSON.parse(text ?? "null") as T | null;
  } catch {
    return null;
  }
}

/** The frame's own localStorage, or null when the browser refuses it. */
export function localStore(): Store | null {
  try {
    localStorage.setItem("sb:probe", "1");
    localStorage.removeItem("sb:probe");
  } catch {
    return null;
  }
  return {
    get: (key) => parse(localStorage.getItem(key)),
    set(key, value) {
      try {
        if (value === null) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(value));
      } catch {}
    },
    onChange: (fn) => addEventListener("storage", (e) => e.key && fn(e.key)),
  };
}

/**
 * A store kept by the host page (through the loader), or only in memory when
 * `save` is absent. `relayed(key, text)` applies a change another tab made.
 */
export function relayStore(initial: Record<string, string>, save?: (key: string, text: string | null) => void) {
  const data = new Map(Object.entries(initial));
  const listeners: ((key: string) => void)[] = [];
  const store: Store & { relayed(key: string, text: string | null): void } = {
    get: (key) => parse(data.get(key)),
    set(key, value) {
      const text = value === null ? null : JSON.stringify(value);
      if (text === null) data.delete(key);
      else data.set(key, text);
      save?.(key, text);
    },
    onChange: (fn) => void listeners.push(fn),
    relayed(key, text) {
      if (text === null) data.delete(key);
      else data.set(key, text);
      for (const fn of listeners) fn(key);
    },
  };
  return store;
}
