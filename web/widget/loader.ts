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

const LAUNCHER_ICON =
  '<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true"><path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

const CSS = `:host{all:initial!important}
button{position:fixed;bottom:20px;S:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;background:C;color:#fff;cursor:pointer;box-shadow:0 4px 14px #0004;display:grid;place-items:center;padding:0}
button:focus-visible{outline:3px solid C;outline-offset:3px}
span{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#d92d20;color:#fff;font:700 12px/20px system-ui,sans-serif}
iframe{position:fixed;bottom:88px;S:20px;z-index:2147483001;width:380px;height:min(600px,calc(100% - 108px));border:0;border-radius:12px;box-shadow:0 8px 32px #0003;background:transparent;display:none}
.open{display:block}
@media(max-width:480px){iframe{inset:0;width:100%;height:100%;border-radius:0}}`;

(() => {
  const w = window as unknown as { Switchboard?: Api };
  const script = document.currentScript as HTMLScriptElement | null;
  const key = script?.dataset.inbox;
  if (!script || !key || document.getElementById("switchboard-widget")) {
    if (!key) console.error('Switchboard: the widget script tag needs data-inbox="WIDGET_KEY".');
    return;
  }
  const origin = new URL(script.src).origin;
  const flag = activeFlag(key);
  let storage: Storage | null = null;
  try {
    storage = localStorage;
  } catch {}

  // Calls made before the launcher is ready wait in the standard queue.
  const queue: ArrayLike<unknown>[] = w.Switchboard?.q ? [...w.Switchboard.q] : [];
  w.Switchboard = (...args) => void queue.push(args);

  let frame: HTMLIFrameElement | null = null;
  let ready = false;
  let isOpen = false;
  let identity: Identity | null = null;
  const listeners: ((count: number) => void)[] = [];

  const post = (message: Send) =>
    ready && frame?.contentWindow?.postMessage({ source: "switchboard", ...message }, origin);

  const mount = (config: Partial<WidgetConfig>) => {
    const name = config.inboxName || "us";
    const host = document.createElement("div");
    host.id = "switchboard-widget";
    const root = host.attachShadow({ mode: "open" });
    root.innerHTML = `<style>${CSS.replace(/S/g, config.position === "left" ? "left" : "right").replace(/C/g, config.color || "#2f6fed")}</style><button type="button" data-sb-launcher aria-expanded="false">${LAUNCHER_ICON}<span data-sb-unread hidden></span></button>`;
    const launcher = root.querySelector("button") as HTMLButtonElement;
    const badge = root.querySelector("span") as HTMLSpanElement;

    const setUnread = (count: number) => {
      badge.hidden = !count;
      badge.textContent = String(count);
      launcher.setAttribute("aria-label", count ? `Open chat, ${count} unread` : isOpen ? "Close chat" : "Open chat");
      const title = document.title.replace(/^\(\d+\) /, "");
      document.title = count ? `(${count}) ${title}` : title;
      for (const fn of listeners) fn(count);
    };

    const load = () => {
      frame = document.createElement("iframe");
      frame.src = `${origin}/widget/?key=${encodeURIComponent(key)}&origin=${encodeURIComponent(location.origin)}`;
      frame.title = `Chat with ${name}`;
      frame.setAttribute("data-sb-frame", "");
      root.append(frame);
    };

    const show = (open: boolean, refocus?: boolean) => {
      if (open === isOpen) return;
      if (open && !frame) load();
      isOpen = open;
      frame?.classList.toggle("open", open);
      launcher.setAttribute("aria-expanded", String(open));
      if (open) setUnread(0);
      else launcher.setAttribute("aria-label", badge.hidden ? "Open chat" : `Open chat, ${badge.textContent} unread`);
      post({ type: open ? "open" : "close" });
      if (open) frame?.focus();
      else if (refocus) launcher.focus();
    };

    launcher.onclick = () => show(!isOpen);
    setUnread(0);

    addEventListener("message", (e: MessageEvent<ToHost>) => {
      const m = e.data;
      if (e.origin !== origin || !frame || e.source !== frame.contentWindow || m?.source !== "switchboard") return;
      if (m.type === "ready") {
        ready = true;
        const store: Record<string, string> = {};
        for (const k of Object.keys(storage ?? {}))
          if (isWidgetStorageKey(key, k)) store[k] = storage?.getItem(k) ?? "";
        post({ type: "init", open: isOpen, identity, store });
      } else if (m.type === "unread") setUnread(isOpen ? 0 : m.count);
      else if (m.type === "close") show(false, true);
      else if (m.type === "active") m.on ? storage?.setItem(flag, "1") : storage?.removeItem(flag);
      else if (m.type === "store" && isWidgetStorageKey(key, m.key))
        m.value === null ? storage?.removeItem(m.key) : storage?.setItem(m.key, m.value);
      else if (m.type === "error") console.error(`Switchboard: ${m.message}`);
    });

    // Another tab changed the widget's keys here (the frame's own storage being blocked): tell the frame.
    addEventListener("storage", (e) => {
      if (isWidgetStorageKey(key, e.key)) post({ type: "stored", key: e.key as string, value: e.newValue });
    });

    document.body.append(host);
    if (storage?.getItem(flag)) load();

    w.Switchboard = (command, arg, fn) => {
      if (command === "open" || command === "close") show(command === "open");
      else if (command === "identify" && arg) {
        identity = arg as Identity;
        post({ type: "identify", identity });
      } else if (command === "on" && arg === "unread" && typeof fn === "function") listeners.push(fn as () => void);
    };
    for (const args of queue) w.Switchboard(...(Array.from(args) as [string]));
  };

  fetch(`${origin}/api/widget/${encodeURIComponent(key)}/config`)
    .then((r) => (r.ok ? r.json() : {}))
    .catch(() => ({}))
    .then(mount);
})();
