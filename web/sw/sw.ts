/// <reference lib="webworker" />
/**
 * The agent app's service worker (/sw.js, scope "/"): an offline shell and
 * Web Push.
 *
 * - The shell: the app's HTML and the hashed files it loads, cached at
 *   install. Page loads go to the network first and fall back to the cached
 *   shell offline (the app then says it is offline and starts when the
 *   connection returns). Hashed `/assets/*` files never change, so they are
 *   served from the cache. Nothing else is touched: `/api/*` (every answer
 *   holds someone's data), the widget and the live sockets go straight to the
 *   network and are never cached.
 * - Push: the server sends `{title, body, url, tag}` (worker/push/); the
 *   notification opens `url`, in an open Switchboard window when there is one.
 *
 * The list of shell files is written in at build time (vite.config.ts); the
 * worker's bytes change with every release, so the browser installs the new
 * one and its `activate` drops the old caches.
 */

declare const self: ServiceWorkerGlobalScope;
// A module (see the export at the end), so `self` above is this file's typing of the global.

/** Replaced at build time by the shell's paths: "/" and the files index.html loads. */
const SHELL: readonly string[] = "__SWITCHBOARD_SHELL__" as unknown as readonly string[];

const PREFIX = "switchboard-shell-";
const CACHE = `${PREFIX}${version(SHELL.join("\n"))}`;

/** A short hash of the shell's paths (their names carry the content hashes). */
function version(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  );
});

/** Paths the worker leaves alone: the API (and its sockets) and the widget, whatever the request. */
const passThrough = (path: string) => path.startsWith("/api/") || path === "/api" || path.startsWith("/widget");

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || passThrough(url.pathname)) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => shell()));
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(hashedFile(request));
  }
});

/** The cached app page, for a page load without a network. */
async function shell(): Promise<Response> {
  const cached = await caches.match("/", { cacheName: CACHE });
  return cached ?? Response.error();
}

/** A hashed file: from the cache, else from the network (kept when it came back whole). */
async function hashedFile(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

interface PushPayload {
  title: string;
  body: string;
  url: string;
  tag?: string;
}

/** The payload, or null when it is missing or not what the server sends. */
function payload(data: PushMessageData | null): PushPayload | null {
  try {
    const value = data?.json() as Partial<PushPayload> | undefined;
    if (typeof value?.title !== "string" || typeof value.url !== "string") return null;
    return {
      title: value.title,
      body: typeof value.body === "string" ? value.body : "",
      url: value.url,
      tag: value.tag,
    };
  } catch {
    return null;
  }
}

/** Only paths of this app: a payload can never send the agent elsewhere. */
function appPath(url: unknown): string {
  if (typeof url !== "string") return "/";
  const target = new URL(url, self.location.origin);
  return target.origin === self.location.origin ? `${target.pathname}${target.search}${target.hash}` : "/";
}

self.addEventListener("push", (event) => {
  const data = payload(event.data);
  // A push must show something (the browser says so otherwise): one that cannot be read says where to look.
  const title = data?.title ?? "New activity in Switchboard";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data?.body ?? "Open Switchboard to see it.",
      tag: data?.tag,
      data: { url: appPath(data?.url) },
      icon: "/icons/icon-192.png",
      badge: "/icons/badge-96.png",
    }),
  );
});

/**
 * Opens the notification's conversation: in a Switchboard window already open
 * (the app navigates there without a reload, see web/app/main.tsx), else in a
 * new one.
 */
async function open(path: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const client = windows.find((c) => new URL(c.url).origin === self.location.origin);
  if (!client) {
    await self.clients.openWindow(path);
    return;
  }
  client.postMessage({ type: "switchboard:open", url: path });
  // Focusing needs the click's user activation; without it the window still shows the conversation.
  await client.focus().catch(() => undefined);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const opened = open(appPath((event.notification.data as { url?: unknown } | null)?.url));
  event.waitUntil(opened);
});

export {};
