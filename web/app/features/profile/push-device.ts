/**
 * This browser's Web Push subscription: whether it can have one, and turning
 * it on or off. Every wait is bounded, so the profile never hangs on a
 * browser that cannot reach its push service (a headless or offline one).
 */

/** Why this browser can't get push at all, or null when it can try. */
export function pushUnsupported(): string | null {
  if (!("serviceWorker" in navigator)) return "This browser has no service workers, which push needs.";
  if (!("PushManager" in window)) return "This browser can't receive push notifications.";
  if (!("Notification" in window)) return "This browser can't show notifications.";
  return null;
}

const within = <T>(ms: number, work: Promise<T>, why: string) =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(why)), ms))]);

/** The app's service worker, once it is active; fails after a few seconds when none registers. */
export function serviceWorker(): Promise<ServiceWorkerRegistration> {
  return within(
    5_000,
    navigator.serviceWorker.ready,
    "Switchboard's service worker isn't running in this browser (a private window, or it was blocked), so it can't receive push.",
  );
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  return (await serviceWorker()).pushManager.getSubscription();
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

/** Asks for permission and subscribes this browser with the server's VAPID key. */
export async function subscribeThisBrowser(publicKey: string): Promise<PushSubscriptionJSON> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted")
    throw new Error(
      permission === "denied"
        ? "Notifications are blocked for this site. Allow them in the browser's site settings, then try again."
        : "Notifications weren't allowed. Turn the switch on again to be asked once more.",
    );
  const registration = await serviceWorker();
  try {
    const existing = await registration.pushManager.getSubscription();
    const subscription =
      existing ??
      (await within(
        15_000,
        registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) }),
        "timed out",
      ));
    return subscription.toJSON();
  } catch (e) {
    const why = e instanceof Error && e.message ? ` (${e.message})` : "";
    throw new Error(`The browser couldn't subscribe to its push service${why}. Check the connection and try again.`);
  }
}

/** "Chrome on Android" from a user agent string; the raw string when it says nothing familiar. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return "Unknown browser";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Chrom(e|ium)\//.test(userAgent)
        ? "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : null;
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Mac OS X/.test(userAgent)
        ? "macOS"
        : /Windows/.test(userAgent)
          ? "Windows"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (!browser) return userAgent.slice(0, 60);
  return system ? `${browser} on ${system}` : browser;
}
