/**
 * The widget's frame, `/widget/?key=KEY&origin=HOST_ORIGIN`: the panel, talking
 * to the loader in the host page by postMessage (only with the origin named in
 * the URL, only with window.parent). `&preview=1`: the settings page's live
 * preview, re-rendered by `preview-config` messages from a same-origin parent.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { WidgetConfig } from "../../worker/contract/widget";
import { Chat, type ChatView, emptyView } from "./chat";
import { activeFlag, type Identity, type ToFrame, type ToHost } from "./messages";
import { Panel } from "./panel";
import { widgetStore } from "./store";

type Send = ToHost extends infer M ? (M extends unknown ? Omit<M, "source"> : never) : never;

const params = new URLSearchParams(location.search);
const key = params.get("key") ?? "";
const preview = params.get("preview") === "1";
const hostOrigin = (() => {
  try {
    const o = params.get("origin");
    return o && new URL(o).origin === o ? o : null;
  } catch {
    return null;
  }
})();
const embedded = window.parent !== window && !!hostOrigin;

/** The inbox's settings as a new inbox has them (worker/contract/inboxes.ts DEFAULT_WIDGET), while the config is unknown. */
const FALLBACK: WidgetConfig = {
  inboxName: "Support",
  color: "#2f6fed",
  greeting: "Hi! Ask us anything, we usually answer within minutes.",
  position: "right",
  preChat: "optional",
  requireIdentity: false,
};

type Init = Extract<ToFrame, { type: "init" }>;

function toHost(message: Send) {
  if (embedded && hostOrigin) window.parent.postMessage({ source: "switchboard", ...message }, hostOrigin);
}

/** Who hears the loader's messages (only from window.parent, only from the origin in our URL). */
const fromHost = new Set<(message: ToFrame) => void>();
addEventListener("message", (e: MessageEvent<ToFrame>) => {
  if (!embedded || e.source !== window.parent || e.origin !== hostOrigin || e.data?.source !== "switchboard") return;
  for (const fn of fromHost) fn(e.data);
});

/** Says `ready` to the loader and waits for its `init` (null when not embedded, or no answer in time). */
function greetHost(): Promise<Init | null> {
  if (!embedded) return Promise.resolve(null);
  return new Promise((resolve) => {
    const done = (init: Init | null) => {
      clearTimeout(timer);
      fromHost.delete(listener);
      resolve(init);
    };
    const listener = (m: ToFrame) => m.type === "init" && done(m);
    const timer = setTimeout(() => {
      done(null);
      // Started without the loader's state (it answered late): start again once it does.
      fromHost.add((m) => m.type === "init" && location.reload());
    }, 5_000);
    fromHost.add(listener);
    toHost({ type: "ready" });
  });
}

async function loadConfig(): Promise<WidgetConfig> {
  try {
    const res = await fetch(`/api/widget/${encodeURIComponent(key)}/config`);
    if (res.ok) return { ...FALLBACK, ...(await res.json()) };
  } catch {}
  return FALLBACK;
}

function applyAccent(color: string) {
  if (/^#[0-9a-f]{6}$/i.test(color)) document.documentElement.style.setProperty("--accent", color);
}

function useChat(chat: Chat): ChatView {
  const [view, setView] = useState(chat.view);
  useEffect(() => {
    // Whatever changed before this effect ran (late, in a hidden frame) shows now.
    setView(chat.view);
    return chat.subscribe(() => setView(chat.view));
  }, [chat]);
  return view;
}

/** What the loader has said: whether the panel is shown, how often it was opened, who the visitor is. */
interface HostState {
  open: boolean;
  opened: number;
  identity: Identity | null;
}

/**
 * Follows the loader's messages and tells it the unread count. Done outside
 * the component, synchronously: a hidden frame (loaded for the badge) may run
 * no effects until it is shown, yet its unread count must reach the launcher,
 * and a reply arriving right after a close must count as unread.
 */
function linkHost(chat: Chat, init: Init | null) {
  let state: HostState = { open: init ? init.open : !embedded, opened: 0, identity: init?.identity ?? null };
  if (state.open) state.opened = 1;
  const listeners = new Set<() => void>();
  const seeing = () => chat.setSeeing(state.open && document.visibilityState === "visible");
  const change = (patch: Partial<HostState>) => {
    state = { ...state, ...patch };
    seeing();
    for (const fn of listeners) fn();
  };
  chat.identity = state.identity;
  fromHost.add((m) => {
    if (m.type === "identify") {
      chat.identity = m.identity;
      change({ identity: m.identity });
    } else if (m.type === "open") change({ open: true, opened: state.opened + 1 });
    else if (m.type === "close") change({ open: false });
  });
  document.addEventListener("visibilitychange", seeing);
  let posted = -1;
  const postUnread = () => {
    const count = state.open ? 0 : chat.view.unread;
    if (count === posted) return;
    posted = count;
    toHost({ type: "unread", count });
  };
  chat.subscribe(postUnread);
  listeners.add(postUnread);
  seeing();
  postUnread();
  return {
    get state() {
      return state;
    },
    subscribe(fn: () => void) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
  };
}
type HostLink = ReturnType<typeof linkHost>;

function useHost(link: HostLink): HostState {
  const [state, setState] = useState(link.state);
  useEffect(() => {
    setState(link.state);
    return link.subscribe(() => setState(link.state));
  }, [link]);
  return state;
}

function LiveWidget({ chat, config, link, told }: { chat: Chat; config: WidgetConfig; link: HostLink; told: boolean }) {
  const view = useChat(chat);
  const { opened: focusToken, identity } = useHost(link);

  const blocked = config.requireIdentity && told && !identity && !view.conversationId;
  useEffect(() => {
    if (blocked || view.identityRefused) {
      toHost({
        type: "error",
        message: view.identityRefused
          ? "the identity sent with Switchboard('identify', {userId, hash}) was refused: hash must be the hex HMAC-SHA256 of userId with this inbox's identity secret (inbox settings → Widget)."
          : "this inbox requires identity verification, so the chat cannot start. Call Switchboard('identify', {userId, hash, name?, email?}) for the signed-in user, where hash is the hex HMAC-SHA256 of userId with the inbox's identity secret (inbox settings → Widget).",
      });
    }
  }, [blocked, view.identityRefused]);

  const usable = !blocked && !view.identityRefused;
  useEffect(() => {
    if (usable) document.documentElement.dataset.ready = "1";
    else delete document.documentElement.dataset.ready;
  }, [usable]);

  return (
    <Panel
      config={config}
      view={view}
      blocked={blocked || view.identityRefused}
      focusToken={focusToken}
      prefill={identity ?? undefined}
      onSend={(body, prechat, files) => chat.send(body, prechat, files)}
      onUpload={(file, options) => chat.upload(file, options)}
      onBroken={() => chat.refresh()}
      onClose={() => toHost({ type: "close" })}
      onRate={(score, comment) => chat.rate(score, comment)}
    />
  );
}

/** The preview shows an empty chat: greeting, pre-chat form, a disabled composer. */
const PREVIEW_VIEW = emptyView();

/**
 * The settings page's unsaved config, from a same-origin parent. Listened for
 * from the start: the page posts it when the frame loads, before the panel
 * has rendered.
 */
let previewConfig: Partial<WidgetConfig> = {};
const previewListeners = new Set<() => void>();
if (preview) {
  addEventListener("message", (e: MessageEvent) => {
    const m = e.data as { source?: string; type?: string; config?: Partial<WidgetConfig> } | null;
    if (e.source !== window.parent || e.origin !== location.origin) return;
    if (m?.source === "switchboard" && m.type === "preview-config" && m.config && typeof m.config === "object") {
      previewConfig = { ...previewConfig, ...m.config };
      for (const fn of previewListeners) fn();
    }
  });
}

function PreviewWidget({ saved }: { saved: WidgetConfig }) {
  const [config, setConfig] = useState({ ...saved, ...previewConfig });
  useEffect(() => {
    const update = () => setConfig({ ...saved, ...previewConfig });
    previewListeners.add(update);
    update();
    return () => void previewListeners.delete(update);
  }, [saved]);
  useEffect(() => applyAccent(config.color), [config.color]);
  return (
    <Panel
      config={config}
      view={PREVIEW_VIEW}
      preview
      focusToken={0}
      onSend={() => {}}
      onClose={() => {}}
      onRate={async () => {}}
    />
  );
}

async function boot() {
  const app = document.getElementById("app");
  if (!app) return;
  if (!key) {
    app.textContent = "This chat is missing its widget key.";
    return;
  }
  const [config, init] = await Promise.all([loadConfig(), preview ? null : greetHost()]);
  applyAccent(config.color);
  if (preview) {
    document.documentElement.dataset.preview = "1";
    render(<PreviewWidget saved={config} />, app);
    return;
  }
  const store = widgetStore(
    key,
    init?.store ?? {},
    init ? (k, value) => toHost({ type: "store", key: k, value }) : undefined,
  );
  fromHost.add((m) => m.type === "stored" && store.relayed(m.key, m.value));
  const chat = new Chat(key, store, (on) => toHost({ type: "store", key: activeFlag(key), value: on ? "1" : null }));
  const link = linkHost(chat, init);
  // Whether the loader has told us about identity (until then, nobody is refused).
  render(<LiveWidget chat={chat} config={config} link={link} told={!embedded || !!init} />, app);
  chat.start();
}

void boot();
