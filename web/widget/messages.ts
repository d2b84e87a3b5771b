/**
 * The postMessage protocol between the loader (on the customer's site) and
 * the panel's frame (on Switchboard's origin). Both sides check the other's
 * origin and window before reading a message; every message carries
 * `source: "switchboard"` so other scripts' messages are ignored.
 */

/** What the site says about its signed-in user: `Switchboard('identify', …)`. */
export interface Identity {
  userId: string;
  hash: string;
  name?: string;
  email?: string;
}

/** Loader → frame. `init` answers the frame's `ready`; the others follow as they happen. */
export type ToFrame =
  /** `store`: the widget's keys in the host page's localStorage (used when the frame's own storage is blocked). */
  | { source: "switchboard"; type: "init"; open: boolean; identity: Identity | null; store: Record<string, string> }
  /** Another tab changed one of the widget's keys in the host page's localStorage. */
  | { source: "switchboard"; type: "stored"; key: string; value: string | null }
  | { source: "switchboard"; type: "open" }
  | { source: "switchboard"; type: "close" }
  | { source: "switchboard"; type: "identify"; identity: Identity };

/** Frame → loader. */
export type ToHost =
  | { source: "switchboard"; type: "ready" }
  | { source: "switchboard"; type: "unread"; count: number }
  /**
   * Keep (or, `null`, remove) one of the widget's keys in the host page's localStorage. Among them
   * `activeFlag(key)`: this visitor has a conversation, so the loader loads the frame (hidden) at once.
   */
  | { source: "switchboard"; type: "store"; key: string; value: string | null }
  /** The visitor closed the panel from inside (close button, Escape): focus goes back to the launcher. */
  | { source: "switchboard"; type: "close" }
  /** A developer-facing problem (e.g. identity required but never given), logged in the host page's console. */
  | { source: "switchboard"; type: "error"; message: string };

/** The localStorage flag, in the host page's origin, that says this visitor has a conversation. */
export const activeFlag = (key: string) => `sb:${key}:active`;

/** Whether `name` is one of widget `key`'s localStorage keys (`sb:KEY`, `sb:KEY:…`). */
export const isWidgetStorageKey = (key: string, name: string | null) =>
  name === `sb:${key}` || !!name?.startsWith(`sb:${key}:`);
