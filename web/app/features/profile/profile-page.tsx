/** `/profile`: the signed-in agent's own name, time zone, notifications (per kind and channel, push devices), password and API tokens. */
import { useEffect, useMemo, useState } from "preact/hooks";
import { api } from "../../../lib/api";
import { Avatar, ErrorNotice, Field, Spinner } from "../../components/ui";
import { useSession } from "../../session";
import { MAX_NAME_CHARS } from "../../../../worker/contract";
import { SelectField } from "../../components/select-field";
import { PasswordCard } from "./password-card";
import { TokensCard } from "./tokens-card";
import { NotificationsCard } from "./notifications-card";

/** Every IANA zone the browser knows, with the saved one kept even if it does not. */
function timeZones(saved: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  if (!zones.includes("UTC")) zones = ["UTC", ...zones];
  if (!zones.includes(saved)) zones = [saved, ...zones];
  return zones;
}

/** "UTC+02:00" for a zone at this moment. */
function offsetOf(zone: string, at: Date): string {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value;
    return part === "GMT" ? "UTC" : (part ?? "").replace("GMT", "UTC");
  } catch {
    return "";
  }
}

function localTime(zone: string, at: Date): string {
  try {
    return at.toLocaleTimeString(undefined, { timeZone: zone, hour: "numeric", minute: "2-digit", weekday: "short" });
  } catch {
    return "";
  }
}

const zoneLabel = (zone: string) => zone.replace(/_/g, " ").replace(/\//g, " / ");

export function ProfilePage() {
  const { me, refresh } = useSession();
  const [form, setForm] = useState({
    name: me.user.name,
    timeZone: me.preferences.timeZone,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const now = useMemo(() => new Date(), []);
  const zones = useMemo(() => timeZones(me.preferences.timeZone), []);
  const detected = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);

  useEffect(() => {
    document.title = "Your profile · Switchboard";
  }, []);

  const dirty = form.name.trim() !== me.user.name || form.timeZone !== me.preferences.timeZone;

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api.updateMe({
        ...(form.name.trim() !== me.user.name && { name: form.name }),
        ...(form.timeZone !== me.preferences.timeZone && { timeZone: form.timeZone }),
      });
      await refresh();
      setForm((f) => ({ ...f, name: f.name.trim() }));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const change = (patch: Partial<typeof form>) => {
    setSaved(false);
    setForm({ ...form, ...patch });
  };

  return (
    <section class="settings-page profile-page" data-testid="profile-page">
      <header class="page-head">
        <div class="profile-id">
          <Avatar name={form.name.trim() || me.user.name} size={52} />
          <div>
            <h1>Your profile</h1>
            <p class="page-sub">
              {me.user.email} · {me.user.role === "admin" ? "Admin" : "Agent"} in {me.workspace.name}
            </p>
          </div>
        </div>
      </header>
      <form class="card profile-card" onSubmit={submit}>
        <div class="card-head">
          <h2>About you</h2>
          <p>Your name is shown to teammates and, with public replies, to customers.</p>
        </div>
        <div class="form">
          <Field label="Name">
            <input
              value={form.name}
              onInput={(e) => change({ name: e.currentTarget.value })}
              required
              maxLength={MAX_NAME_CHARS}
              data-testid="profile-name"
            />
          </Field>
          <SelectField
            label="Time zone"
            hint={`It's ${localTime(form.timeZone, now)} there now. Snoozing until “tomorrow 9:00” uses this zone.`}
            value={form.timeZone}
            options={zones.map((z) => ({ value: z, label: `${zoneLabel(z)} (${offsetOf(z, now)})` }))}
            onChange={(timeZone) => change({ timeZone })}
            testid="profile-timezone"
          />
          {detected && detected !== form.timeZone && zones.includes(detected) && (
            <p class="profile-detect">
              Your computer is set to <strong>{zoneLabel(detected)}</strong>.{" "}
              <button
                type="button"
                class="link-btn"
                onClick={() => change({ timeZone: detected })}
                data-testid="profile-use-detected"
              >
                Use it
              </button>
            </p>
          )}
        </div>
        <ErrorNotice error={error} />
        <div class="form-actions profile-actions">
          {saved && !dirty && (
            <span class="saved-mark" data-testid="profile-saved">
              ✓ Saved
            </span>
          )}
          <button
            type="submit"
            class="btn btn-primary"
            disabled={busy || !dirty || !form.name.trim()}
            data-testid="profile-save"
          >
            {busy ? <Spinner label="Saving…" /> : "Save changes"}
          </button>
        </div>
      </form>
      <NotificationsCard />
      <PasswordCard />
      <TokensCard />
    </section>
  );
}
