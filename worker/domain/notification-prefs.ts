/**
 * Which channels each kind of notification uses: in-app (the bell), email
 * (the delayed digest) and Web Push. Stored per agent as
 * `users.notification_prefs` `{kind: {inApp, email, push}}`; anything not
 * stored takes the default below. Email also answers to the older master
 * switch `users.email_notifications`: off, no kind is emailed.
 */

/** Every kind an agent can tune, in the order the profile lists them. */
export const PREF_KINDS = ["mention", "assigned", "forward", "update", "sla", "webhook"] as const;
export type PrefKind = (typeof PREF_KINDS)[number];
export const CHANNELS = ["inApp", "email", "push"] as const;
export type Channel = (typeof CHANNELS)[number];
export type KindPrefs = Record<Channel, boolean>;
export type NotificationPrefs = Record<PrefKind, KindPrefs>;
export type StoredPrefs = Record<string, Partial<Record<string, boolean>>> | null | undefined;
/** A change from the profile: some kinds, some channels. */
export type PrefsPatch = Partial<Record<PrefKind, Partial<KindPrefs>>>;

/** Followed updates are frequent: on a phone only when the agent asks for them. */
const PUSH_OFF_BY_DEFAULT: ReadonlySet<string> = new Set(["update"]);

/** The default of one kind and channel. */
export function defaultFor(kind: string, channel: Channel): boolean {
  return channel === "push" ? !PUSH_OFF_BY_DEFAULT.has(kind) : true;
}

/** Whether `kind` goes to `channel` for an agent with these stored prefs and email master switch. */
export function wants(stored: StoredPrefs, emailMaster: boolean, kind: string, channel: Channel): boolean {
  if (channel === "email" && !emailMaster) return false;
  const value = stored?.[kind]?.[channel];
  return typeof value === "boolean" ? value : defaultFor(kind, channel);
}

/** The whole table as the profile shows it: what each kind really does. */
export function effectivePrefs(stored: StoredPrefs, emailMaster: boolean): NotificationPrefs {
  const table = {} as NotificationPrefs;
  for (const kind of PREF_KINDS) {
    table[kind] = {
      inApp: wants(stored, emailMaster, kind, "inApp"),
      email: wants(stored, emailMaster, kind, "email"),
      push: wants(stored, emailMaster, kind, "push"),
    };
  }
  return table;
}

/**
 * Applies a profile change. A table change is stored whole, as the agent
 * now sees it, and the email master switch becomes "any kind is emailed",
 * so ticking one email box does what it says and no other kind starts
 * emailing. Turning the master switch on again after every kind was unticked
 * restores the per-kind defaults (otherwise the switch would do nothing).
 */
export function applyPrefsPatch(
  stored: StoredPrefs,
  emailMaster: boolean,
  patch: { notifications?: PrefsPatch; emailNotifications?: boolean },
): { notificationPrefs: NotificationPrefs | StoredPrefs; emailNotifications: boolean } {
  let prefs: NotificationPrefs | StoredPrefs = stored;
  let master = emailMaster;
  if (patch.notifications) {
    const table = effectivePrefs(stored, emailMaster);
    for (const kind of PREF_KINDS) Object.assign(table[kind], patch.notifications[kind] ?? {});
    prefs = table;
    master = PREF_KINDS.some((k) => table[k].email);
  }
  if (patch.emailNotifications !== undefined) {
    master = patch.emailNotifications;
    const noKindEmailed = PREF_KINDS.every((k) => prefs?.[k]?.email === false);
    if (master && noKindEmailed && !patch.notifications) prefs = withoutChannel(prefs, "email");
  }
  return { notificationPrefs: prefs, emailNotifications: master };
}

function withoutChannel(prefs: StoredPrefs, channel: Channel): StoredPrefs {
  if (!prefs) return prefs;
  return Object.fromEntries(
    Object.entries(prefs).map(([kind, channels]) => [
      kind,
      Object.fromEntries(Object.entries(channels).filter(([c]) => c !== channel)),
    ]),
  );
}

/**
 * The same rule as `wants` for the in-app and push channels, as an SQL
 * expression over a prefs column and a kind column (1 or 0), so writers
 * decide a whole fan-out in one statement. Kind names and channels are this
 * module's constants, never input.
 */
export function wantsSql(prefsColumn: string, kindColumn: string, channel: "inApp" | "push"): string {
  const offByDefault = PREF_KINDS.filter((k) => !defaultFor(k, channel));
  const fallback = offByDefault.length
    ? `CASE WHEN ${kindColumn} IN (${offByDefault.map((k) => `'${k}'`).join(", ")}) THEN 0 ELSE 1 END`
    : "1";
  return `COALESCE(json_extract(${prefsColumn}, '$.' || ${kindColumn} || '.${channel}'), ${fallback})`;
}
