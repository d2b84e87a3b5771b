/**
 * Profile → Notifications: which kinds reach the agent where (the bell, email,
 * push; one checkbox per kind and channel, saved as it changes), and push on
 * this device with the list of devices that get it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { NotificationPrefs } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { longAgo, useNow } from "../../../lib/time";
import { Switch } from "../../components/switch";
import { ErrorNotice, Spinner } from "../../components/ui";
import { useAction, useResource } from "../../hooks/resource";
import { useSession } from "../../session";
import { currentSubscription, deviceName, pushUnsupported, subscribeThisBrowser } from "./push-device";

type Kind = keyof NotificationPrefs;
type Channel = keyof NotificationPrefs[Kind];

const KINDS: { kind: Kind; label: string; hint: string; adminOnly?: boolean }[] = [
  { kind: "mention", label: "Mentions", hint: "Someone @mentions you in a note" },
  { kind: "assigned", label: "Assignments", hint: "A conversation is assigned to you" },
  { kind: "forward", label: "Answers to forwards", hint: "Someone you forwarded a conversation to answers" },
  {
    kind: "update",
    label: "Followed conversations",
    hint: "New messages and changes where you follow or are assigned",
  },
  { kind: "sla", label: "Missed SLAs", hint: "A conversation of yours or your team's misses its target" },
  { kind: "webhook", label: "Failing webhooks", hint: "A webhook was turned off after failing", adminOnly: true },
];
const CHANNELS: { channel: Channel; label: string }[] = [
  { channel: "inApp", label: "In the app" },
  { channel: "email", label: "Email" },
  { channel: "push", label: "Push" },
];

export function NotificationsCard() {
  const { me, refresh } = useSession();
  const prefs = me.preferences.notifications;
  const [status, setStatus] = useState("");
  const [error, setError] = useState<unknown>(null);
  // Ticked boxes show at once; saves go one after another, so quick changes never overwrite each other.
  const [pending, setPending] = useState<Record<string, boolean>>({});
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const change = (kind: Kind, channel: Channel, on: boolean) => {
    const cell = `${kind}.${channel}`;
    setPending((p) => ({ ...p, [cell]: on }));
    setError(null);
    queue.current = queue.current.then(async () => {
      try {
        await api.updateMe({ notifications: { [kind]: { [channel]: on } } });
        await refresh();
        const k = KINDS.find((r) => r.kind === kind)!.label;
        const c = CHANNELS.find((r) => r.channel === channel)!.label;
        setStatus(`Saved: ${k} ${on ? "on" : "off"} for ${c.toLowerCase()}.`);
      } catch (e) {
        setError(e);
      } finally {
        setPending(({ [cell]: _, ...rest }) => rest);
      }
    });
  };
  const kinds = KINDS.filter((k) => !k.adminOnly || me.user.role === "admin");

  return (
    <section class="card profile-card" data-testid="profile-notifications">
      <div class="card-head">
        <h2>Notifications</h2>
        <p>
          Choose where each kind reaches you. Email is a short digest to {me.user.email}, a couple of minutes later and
          only if you haven't seen it yet; push goes to the devices below.
        </p>
      </div>
      <div class="notify-table-wrap">
        <table class="notify-table" data-testid="notify-table">
          <caption class="sr-only">Where each kind of notification reaches you</caption>
          <thead>
            <tr>
              <th scope="col">Notification</th>
              {CHANNELS.map((c) => (
                <th scope="col" key={c.channel}>
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {kinds.map((k) => (
              <tr key={k.kind}>
                <th scope="row">
                  <span class="strong">{k.label}</span>
                  <span class="field-hint">{k.hint}</span>
                </th>
                {CHANNELS.map((c) => (
                  <td key={c.channel}>
                    <input
                      type="checkbox"
                      checked={pending[`${k.kind}.${c.channel}`] ?? prefs[k.kind][c.channel]}
                      aria-label={`${k.label}: ${c.label}`}
                      onChange={(e) => change(k.kind, c.channel, e.currentTarget.checked)}
                      data-testid={`notify-${k.kind}-${c.channel}`}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="sr-only" role="status" data-testid="notify-saved">
        {status}
      </p>
      <ErrorNotice error={error} onDismiss={() => setError(null)} />
      <DevicePush />
    </section>
  );
}

type DeviceState =
  | { kind: "checking" }
  | { kind: "unavailable"; why: string }
  | { kind: "ready"; endpoint: string | null };

/** The "Notifications on this device" switch and the list of devices that get push. */
function DevicePush() {
  const [device, setDevice] = useState<DeviceState>({ kind: "checking" });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const endpoint = device.kind === "ready" ? device.endpoint : null;
  const devices = useResource(`me/push-subscriptions:${endpoint ?? ""}`, () => api.pushDevices(endpoint ?? undefined), {
    keepPrevious: true,
  });
  const remove = useAction((id: string) => api.removePushDevice(id), { onDone: () => void devices.reload() });
  const now = useNow();

  useEffect(() => {
    const why = pushUnsupported();
    if (why) return setDevice({ kind: "unavailable", why });
    let live = true;
    currentSubscription().then(
      (s) => live && setDevice({ kind: "ready", endpoint: s?.endpoint ?? null }),
      (e: Error) => live && setDevice({ kind: "unavailable", why: e.message }),
    );
    return () => {
      live = false;
    };
  }, []);

  const publicKey = devices.data?.publicKey ?? null;
  const list = devices.data?.subscriptions ?? [];
  const thisOne = list.find((d) => d.current);
  const on = !!thisOne;
  const unavailable =
    device.kind === "unavailable"
      ? device.why
      : devices.data && !publicKey
        ? "Push isn't set up on this server: an admin needs to add VAPID keys (see the README)."
        : null;

  const toggle = async (wanted: boolean) => {
    setBusy(true);
    setProblem(null);
    try {
      if (wanted) {
        const subscription = await subscribeThisBrowser(publicKey!);
        await api.subscribePush({
          endpoint: subscription.endpoint!,
          keys: { p256dh: subscription.keys!.p256dh!, auth: subscription.keys!.auth! },
        });
        setDevice({ kind: "ready", endpoint: subscription.endpoint! });
      } else {
        const subscription = await currentSubscription();
        await subscription?.unsubscribe();
        if (thisOne) await api.removePushDevice(thisOne.id);
        setDevice({ kind: "ready", endpoint: null });
      }
      await devices.reload();
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="profile-section" data-testid="push-devices">
      <label class="switch-row">
        <Switch
          checked={on}
          disabled={busy || device.kind === "checking" || !!unavailable || !devices.data}
          onChange={(v) => void toggle(v)}
          testid="push-this-device"
        />
        <span>
          <span class="strong">Notifications on this device</span>
          <span class="field-hint" data-testid="push-device-status">
            {device.kind === "checking"
              ? "Checking whether this browser can get push…"
              : (unavailable ??
                (busy
                  ? "Asking the browser…"
                  : on
                    ? "This browser gets push for the kinds ticked under Push."
                    : "Off on this browser. Turn it on to be asked for permission."))}
          </span>
        </span>
      </label>
      {problem && (
        <p class="form-error" role="alert" data-testid="push-problem">
          {problem}
        </p>
      )}
      {devices.error ? (
        <ErrorNotice error={devices.error} onRetry={() => void devices.reload()} />
      ) : !devices.data ? (
        <Spinner label="Loading devices…" />
      ) : list.length === 0 ? (
        <p class="card-empty">No device gets push yet.</p>
      ) : (
        <ul class="people" aria-label="Devices that get push">
          {list.map((d) => (
            <li key={d.id} data-testid="push-device-row">
              <span class="strong">
                {deviceName(d.userAgent)}
                {d.current && <span class="muted"> (this browser)</span>}
              </span>
              <span class="muted">
                added {longAgo(d.createdAt, now)} ·{" "}
                {d.lastSuccessAt ? `last delivered ${longAgo(d.lastSuccessAt, now)}` : "nothing delivered yet"}
              </span>
              <span class="person-actions">
                <button
                  type="button"
                  class="btn btn-small btn-ghost btn-danger-text"
                  disabled={remove.busy || busy}
                  onClick={() => (d.current ? void toggle(false) : void remove.run(d.id))}
                  aria-label={`Remove ${deviceName(d.userAgent)}, added ${longAgo(d.createdAt, now)}`}
                  data-testid="push-device-remove"
                >
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={remove.error} onDismiss={() => remove.clearError()} />
    </div>
  );
}
