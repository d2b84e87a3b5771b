/**
 * `widget.js`: the loader a site embeds with one script tag. It costs next to
 * nothing while the chat is closed: a launcher button in a shadow root, and no
 * iframe until the first open — unless this visitor already has a
 * conversation (a flag the frame sets), so that replies raise the badge.
 * Budget: 2 KB gzip (scripts/check-size.mjs).
 */
import type { WidgetConfig } from "../../worker/contract/widget";
import { activeFlag, type Identity, isWidgetStorageKey, type ToFrame, type ToHost } from "./messages";

type Api = ((command: string, ...args: unknown[]) => void) & { q?: ArrayLike<unknown>[] };
type Send = ToFrame extends infer M ? (M extends unknown ? Omit<M, "source"> : never) : never;

/** The launcher's two faces: a speech bubble while closed, a cross while open. */
const ICONS =
  '<svg viewBox="0 0 24 24"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/><path d="M6 6l12 12M18 6L6 18" stroke="#fff" stroke-width="2.5"/></svg>';

// `S`: the side (left/right), `C`: the accent colour; filled in from the config.
const CSS = `:host{all:initial!important}
button{position:fixed;bottom:20px;S:20px;z-index:2147483647;width:56px;height:56px;border:0;border-radius:50%;background:C;cursor:pointer;box-shadow:0 4px 14px #0004}
button:focus-visible{outline:3px solid C;outline-offset:3px}
svg{width:26px;fill:#fff;vertical-align:middle}
[aria-expanded=true] path:first-child,[aria-expanded=false] path+path{display:none}
span{position:absolute;top:-4px;right:-4px;min-width:10px;padding:0 5px;border-radius:10px;background:#d92d20;color:#fff;font:700 12px/20px sans-serif}
iframe{position:fixed;bottom:88px;S:20px;z-index:2147483647;width:380px;height:min(600px,calc(100% - 108px));border:0;border-radius:12px;box-shadow:0 8px 32px #0003;display:none}
.open{display:block}
@media(max-width:480px){iframe{inset:0;width:100%;height:100%;border-radius:0}}`;

(() => {
  const w = window as unknown as { Switchboard?: Api };
  const script = document.currentScript as HTMLScriptElement | null;
  const key = script?.dataset.inbox;
  if (!key || document.getElementById("switchboard-widget")) {
    if (!key) console.error("Switchboard: data-inbox is missing on the widget's script tag.");
    return;
  }
  const origin = new URL((script as HTMLScriptElement).src).origin;
  const enc = encodeURIComponent;
  const flag = activeFlag(key);
  /** The host page's localStorage, or nothing where it is refused. */
  const storage = (use: (s: Storage) => unknown) => {
    try {
      return use(localStorage);
    } catch {}
  };

  // Calls made before the launcher is ready wait in the standard queue.
  const queue: ArrayLike<unknown>[] = [...(w.Switchboard?.q ?? [])];
  w.Switchboard = (...args) => void queue.push(args);

  let frame: HTMLIFrameElement | null = null;
  let ready = false;
  let isOpen = false;
  let unread = 0;
  let identity: Identity | null = null;
  const listeners: ((count: number) => void)[] = [];

  const post = (message: Send) =>
    ready && frame?.contentWindow?.postMessage({ source: "switchboard", ...message }, origin);

  const mount = (config: Partial<WidgetConfig>) => {
    const color = /^#[0-9a-f]{6}$/i.test(config.color ?? "") ? config.color : "#2f6fed";
    const host = document.createElement("div");
    host.id = "switchboard-widget";
    const root = host.attachShadow({ mode: "open" });
    root.innerHTML = `<style>${CSS.replace(/S/g, config.position === "left" ? "left" : "right").replace(/C/g, color as string)}</style><button data-sb-launcher>${ICONS}<span data-sb-unread hidden></span></button>`;
    const launcher = root.querySelector("button") as HTMLButtonElement;
    const badge = root.querySelector("span") as HTMLSpanElement;

    /** The launcher's state, its label and badge, and the page title, from `isOpen` and `unread`. */
    const paint = () => {
      badge.hidden = !unread;
      badge.textContent = String(unread);
      launcher.setAttribute("aria-expanded", String(isOpen));
      launcher.setAttribute("aria-label", isOpen ? "Close chat" : unread ? `Open chat, ${unread} unread` : "Open chat");
      const title = document.title.replace(/^\(\d+\) /, "");
      document.title = unread ? `(${unread}) ${title}` : title;
    };
    const setUnread = (count: number) => {
      unread = isOpen ? 0 : count;
      paint();
      for (const fn of listeners) fn(unread);
    };

    const load = () => {
      frame = document.createElement("iframe");
      frame.src = `${origin}/widget/?key=${enc(key)}&origin=${enc(location.origin)}`;
      frame.title = `Chat with ${config.inboxName || "us"}`;
      frame.dataset.sbFrame = "";
      root.append(frame);
    };

    const show = (open: boolean, refocus?: boolean) => {
      if (open === isOpen) return;
      if (!frame) load();
      isOpen = open;
      frame?.classList.toggle("open", open);
      if (open) setUnread(0);
      else paint();
      post({ type: open ? "open" : "close" });
      if (open) frame?.focus();
      else if (refocus) launcher.focus();
    };

    launcher.onclick = () => show(!isOpen);
    paint();

    addEventListener("message", (e: MessageEvent<ToHost>) => {
      const m = e.data;
      if (e.origin !== origin || !frame || e.source !== frame.contentWindow || m?.source !== "switchboard") return;
      if (m.type === "ready") {
        ready = true;
        const store: Record<string, string> = {};
        storage((s) => {
          for (const k of Object.keys(s)) if (isWidgetStorageKey(key, k)) store[k] = s.getItem(k) as string;
        });
        post({ type: "init", open: isOpen, identity, store });
      } else if (m.type === "unread") setUnread(m.count);
      else if (m.type === "close") show(false, true);
      else if (m.type === "store" && isWidgetStorageKey(key, m.key))
        storage((s) => (m.value === null ? s.removeItem(m.key) : s.setItem(m.key, m.value)));
      else if (m.type === "error") console.error(`Switchboard: ${m.message}`);
    });

    // Another tab changed the widget's keys here (the frame's own storage being blocked): tell the frame.
    addEventListener("storage", (e) => {
      if (isWidgetStorageKey(key, e.key)) post({ type: "stored", key: e.key as string, value: e.newValue });
    });

    document.body.append(host);
    if (storage((s) => s.getItem(flag))) load();

    w.Switchboard = (command, arg, fn) => {
      if (command === "open" || command === "close") show(command === "open");
      else if (command === "identify" && arg) {
        identity = arg as Identity;
        post({ type: "identify", identity });
      } else if (command === "on" && arg === "unread" && typeof fn === "function") listeners.push(fn as () => void);
    };
    for (const args of queue) w.Switchboard(...(Array.from(args) as [string]));
  };

  fetch(`${origin}/api/widget/${enc(key)}/config`)
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}))
    .then(mount);
})();
