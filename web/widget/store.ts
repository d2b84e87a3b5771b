/**
 * Where the widget keeps the visitor's conversation (id, contact token, what
 * they have seen) and the outbox, so they survive reloads and are shared by
 * tabs: the frame's own localStorage (Switchboard's origin), mirrored in the
 * host page's localStorage through the loader.
 *
 * The mirror is what makes it hold in every browser: one that blocks
 * third-party storage refuses the frame its own, and one that partitions it
 * may hand the frame an empty one on a later load. The frame starts from both
 * (its own entries win), writes both, and hears other tabs' changes from both.
 */
import { isWidgetStorageKey } from "./messages";

export interface Store {
  get<T>(key: string): T | null;
  /** `null` removes the key. */
  set(key: string, value: unknown): void;
  /** Calls `fn` with a key another tab changed. */
  onChange(fn: (key: string) => void): void;
  /** A change another tab made in the host page's copy (relayed by the loader). */
  relayed(key: string, text: string | null): void;
}

function parse<T>(text: string | undefined): T | null {
  try {
    return JSON.parse(text ?? "null") as T | null;
  } catch {
    return null;
  }
}

function ownStorage(): Storage | null {
  try {
    localStorage.setItem("sb:probe", "1");
    localStorage.removeItem("sb:probe");
    return localStorage;
  } catch {
    return null;
  }
}

/**
 * The store of widget `widgetKey`: `host` is the host page's copy (from the
 * loader's `init`), `mirror` writes to it (absent outside a host page).
 */
export function widgetStore(
  widgetKey: string,
  host: Record<string, string>,
  mirror?: (key: string, text: string | null) => void,
): Store {
  const own = ownStorage();
  const data = new Map(Object.entries(host));
  for (let i = 0; own && i < own.length; i++) {
    const key = own.key(i);
    if (key && isWidgetStorageKey(widgetKey, key)) data.set(key, own.getItem(key) ?? "");
  }
  const listeners: ((key: string) => void)[] = [];
  const apply = (key: string, text: string | null) => {
    if (text === null) data.delete(key);
    else data.set(key, text);
    for (const fn of listeners) fn(key);
  };
  if (own) {
    addEventListener("storage", (e) => {
      if (e.storageArea === own && isWidgetStorageKey(widgetKey, e.key)) apply(e.key as string, e.newValue);
    });
  }
  return {
    get: (key) => parse(data.get(key)),
    set(key, value) {
      const text = value === null ? null : JSON.stringify(value);
      if (text === null) data.delete(key);
      else data.set(key, text);
      try {
        if (text === null) own?.removeItem(key);
        else own?.setItem(key, text);
      } catch {}
      mirror?.(key, text);
    },
    onChange: (fn) => void listeners.push(fn),
    relayed: (key, text) => {
      if (data.get(key) !== (text ?? undefined)) apply(key, text);
    },
  };
}
