/** Settings → Team: who is in the workspace (role, deactivation, reset links), invitations, and each agent's access per inbox. */
import { useState } from "preact/hooks";
import type { Access, Inbox, Role, TeamMember, UpdateUserInput, User } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { CopyField } from "../../components/copy-field";
import { RevokeButton } from "../../components/revoke-button";
import { Avatar, ErrorNotice, Field, Spinner } from "../../components/ui";
import { useSession } from "../../session";
import { ConfirmDialog } from "./confirm-dialog";
import { useAction, useResource } from "../../hooks/resource";
import { ChannelIcon } from "../../components/icons";
import { type SelectOption, SelectField } from "../../components/select-field";

export function TeamTab({
  inboxes,
  users,
  onUsersChange,
}: {
  inboxes: Inbox[];
  users: TeamMember[];
  onUsersChange: (users: TeamMember[]) => void;
}) {
  const changed = (user: TeamMember) => onUsersChange(users.map((u) => (u.id === user.id ? user : u)));
  return (
    <>
      <PeopleSection users={users} onChanged={changed} />
      <InviteSection inboxes={inboxes} />
      <AccessSection inboxes={inboxes} users={users.filter((u) => u.active)} />
    </>
  );
}

const ROLES: SelectOption<Role>[] = [
  { value: "agent", label: "Agent" },
  { value: "admin", label: "Admin" },
];

/** Everyone in the workspace, active first; per person: role, deactivate or reactivate, a reset link. */
function PeopleSection({ users, onChanged }: { users: TeamMember[]; onChanged: (user: TeamMember) => void }) {
  const { me, refresh } = useSession();
  const [reset, setReset] = useState<{ user: TeamMember; url: string } | null>(null);
  const [confirming, setConfirming] = useState<TeamMember | null>(null);
  const update = useAction((user: TeamMember, patch: UpdateUserInput) => api.updateUser(user.id, patch), {
    onDone: (updated) => {
      onChanged(updated);
      // An admin who changed their own role sees the app as that role at once.
      if (updated.id === me.user.id) void refresh();
    },
  });
  const resetLink = useAction((user: TeamMember) => api.passwordResetLink(user.id), {
    onDone: ({ resetUrl }, user) => setReset({ user, url: resetUrl }),
  });
  const busy = update.busy || resetLink.busy;

  const rank = (u: TeamMember) => (u.active ? 0 : 2) + (u.role === "admin" ? 0 : 1);
  const sorted = [...users].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return (
    <section class="card" data-testid="settings-team">
      <div class="card-head">
        <h2>People</h2>
        <p>
          Admins see and manage everything. Agents see the inboxes you give them access to. Deactivated people can't
          sign in; what they wrote stays.
        </p>
      </div>
      <ul class="people">
        {sorted.map((u) => (
          <li
            key={u.id}
            class={u.active ? undefined : "is-inactive"}
            data-testid="user-row"
            data-user-id={u.id}
            data-active={String(u.active)}
          >
            <Avatar name={u.name} size={30} />
            <span class="strong">
              {u.name}
              {u.id === me.user.id && <span class="muted"> (you)</span>}
            </span>
            <span class="muted">{u.email}</span>
            <span class="person-actions">
              {!u.active && <span class="role role-inactive">Deactivated</span>}
              <select
                class="access-select"
                value={u.role}
                disabled={busy}
                aria-label={`Role of ${u.name}`}
                onChange={(e) => void update.run(u, { role: e.currentTarget.value as Role })}
                data-testid="user-role-select"
              >
                {ROLES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
              {u.active && u.id !== me.user.id && (
                <button
                  type="button"
                  class="btn btn-small btn-ghost"
                  disabled={busy}
                  onClick={() => void resetLink.run(u)}
                  data-testid="user-reset-link"
                >
                  Reset link
                </button>
              )}
              {u.id !== me.user.id &&
                (u.active ? (
                  <button
                    type="button"
                    class="btn btn-small btn-ghost btn-danger-text"
                    disabled={busy}
                    onClick={() => setConfirming(u)}
                    data-testid="user-deactivate"
                  >
                    Deactivate
                  </button>
                ) : (
                  <button
                    type="button"
                    class="btn btn-small"
                    disabled={busy}
                    onClick={() => void update.run(u, { active: true })}
                    data-testid="user-reactivate"
                  >
                    Reactivate
                  </button>
                ))}
            </span>
          </li>
        ))}
      </ul>
      {reset && (
        <div class="link-panel" data-testid="reset-link-panel">
          <p>
            A one-time link for <strong>{reset.user.name}</strong> to choose a new password. It works once, for one
            hour; send it to them yourself.
          </p>
          <CopyField value={reset.url} label={`Reset link for ${reset.user.name}`} testid="reset-link" />
        </div>
      )}
      <ErrorNotice
        error={update.error ?? resetLink.error}
        onDismiss={() => {
          update.clearError();
          resetLink.clearError();
        }}
      />
      {confirming && (
        <ConfirmDialog
          title={`Deactivate ${confirming.name}?`}
          confirm="Deactivate"
          busyLabel="Deactivating…"
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            onChanged(await api.updateUser(confirming.id, { active: false }));
            setConfirming(null);
          }}
        >
          They are signed out everywhere at once and their API tokens stop working. Their replies and notes stay, and
          you can reactivate them later.
        </ConfirmDialog>
      )}
    </section>
  );
}

type InviteGrant = { inboxId: string; access: Access };

/** Invite by email: the link is shown (and emailed when mail is set up); pending invitations can be revoked. */
function InviteSection({ inboxes }: { inboxes: Inbox[] }) {
  const empty = { email: "", role: "agent" as Role, access: [] as InviteGrant[] };
  const [form, setForm] = useState(empty);
  const [sent, setSent] = useState<{ email: string; url: string; emailed: boolean } | null>(null);
  const pending = useResource("invitations", () => api.invitations(), { keepPrevious: true });

  const levelOf = (inboxId: string): Level => form.access.find((g) => g.inboxId === inboxId)?.access ?? "none";
  const setLevel = (inboxId: string, level: Level) =>
    setForm((f) => ({
      ...f,
      access: [
        ...f.access.filter((g) => g.inboxId !== inboxId),
        ...(level === "none" ? [] : [{ inboxId, access: level }]),
      ],
    }));

  const invite = useAction(() => api.invite({ ...form, access: form.role === "agent" ? form.access : [] }), {
    onDone: (created) => {
      setSent({ email: form.email.trim().toLowerCase(), url: created.inviteUrl, emailed: created.emailed });
      setForm(empty);
      void pending.reload();
    },
  });
  const revoke = useAction((id: string) => api.revokeInvitation(id), { onDone: () => void pending.reload() });
  const submit = (e: Event) => {
    e.preventDefault();
    void invite.run();
  };

  const inboxName = (id: string) => inboxes.find((i) => i.id === id)?.name ?? "a deleted inbox";
  return (
    <section class="card" data-testid="settings-invite">
      <div class="card-head">
        <h2>Invite a teammate</h2>
        <p>They get a link to choose their own name and password. It works once, for seven days.</p>
      </div>
      <form class="inline-form wrap" onSubmit={submit}>
        <Field label="Email">
          <input
            type="email"
            value={form.email}
            onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
            required
            data-testid="invite-email"
          />
        </Field>
        <SelectField
          label="Role"
          value={form.role}
          options={ROLES}
          onChange={(role) => setForm((f) => ({ ...f, role }))}
          testid="invite-role"
        />
        <button type="submit" class="btn btn-primary" disabled={invite.busy} data-testid="invite-submit">
          {invite.busy ? <Spinner label="Inviting…" /> : "Create invitation"}
        </button>
      </form>
      {form.role === "agent" && inboxes.length > 0 && (
        <div class="invite-access" data-testid="invite-access">
          <span class="field-label">Inbox access</span>
          {inboxes.map((i) => (
            <label key={i.id}>
              <ChannelIcon channel={i.channel} />
              {i.name}
              <select
                class={`access-select level-${levelOf(i.id)}`}
                value={levelOf(i.id)}
                onChange={(e) => setLevel(i.id, e.currentTarget.value as Level)}
                data-testid="invite-access-cell"
                data-inbox-id={i.id}
              >
                {levelOptions}
              </select>
            </label>
          ))}
        </div>
      )}
      {sent && (
        <div class="link-panel" data-testid="invite-link-panel">
          <p>
            {sent.emailed
              ? `We emailed this link to ${sent.email}. You can also send it yourself:`
              : `Send this link to ${sent.email}:`}
          </p>
          <CopyField value={sent.url} label={`Invitation link for ${sent.email}`} testid="invite-link" />
        </div>
      )}
      <ErrorNotice
        error={invite.error ?? revoke.error}
        onDismiss={() => {
          invite.clearError();
          revoke.clearError();
        }}
      />
      {(pending.data?.items.length ?? 0) > 0 && (
        <>
          <h3 class="people-subhead">Pending invitations</h3>
          <ul class="people">
            {pending.data!.items.map((inv) => (
              <li key={inv.id} data-testid="invitation-row" data-email={inv.email}>
                <Avatar name={inv.email} size={30} />
                <span class="strong">{inv.email}</span>
                <span class="muted">
                  {inv.role === "admin"
                    ? "Admin"
                    : inv.access.length
                      ? inv.access.map((g) => `${inboxName(g.inboxId)} (${g.access})`).join(", ")
                      : "No inboxes yet"}
                  {" · expires "}
                  {new Date(inv.expiresAt).toLocaleDateString()}
                </span>
                <RevokeButton busy={revoke.busy} onRevoke={() => void revoke.run(inv.id)} testid="invitation-revoke" />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

type Level = Access | "none";
const LEVELS: { id: Level; label: string; hint: string }[] = [
  { id: "reply", label: "Reply", hint: "Reply, notes, assign, tag and resolve" },
  { id: "note", label: "Notes only", hint: "Read and leave internal notes" },
  { id: "view", label: "View only", hint: "Read only" },
  { id: "none", label: "No access", hint: "The inbox is hidden from them" },
];

const levelOptions = LEVELS.map((l) => (
  <option key={l.id} value={l.id}>
    {l.label}
  </option>
));

/** `inboxId → userId → level` as the server last said. */
type Grid = Record<string, Record<string, Access>>;
type CellState = "saving" | "saved";
const cellKey = (inboxId: string, userId: string) => `${inboxId}:${userId}`;

/** Every agent × every inbox, each cell the agent's current level there, changed in place. */
function AccessSection({ inboxes, users }: { inboxes: Inbox[]; users: User[] }) {
  const agents = users.filter((u) => u.role === "agent").sort((a, b) => a.name.localeCompare(b.name));
  const admins = users.filter((u) => u.role === "admin");
  // Read again when an inbox or a person is added; an older read that answers late is dropped.
  const access = useResource(
    `${inboxes.map((i) => i.id).join()}|${users.length}`,
    async () => {
      const lists = await Promise.all(inboxes.map((i) => api.inboxAccess(i.id)));
      const next: Grid = {};
      inboxes.forEach((inbox, n) => {
        next[inbox.id] = Object.fromEntries(lists[n]!.items.map((a) => [a.userId, a.access]));
      });
      return next;
    },
    { keepPrevious: true },
  );
  const grid = access.data ?? null;
  const loadError = access.error;
  const [error, setError] = useState<unknown>(null);
  const [cells, setCells] = useState<Record<string, CellState>>({});

  const change = async (inbox: Inbox, user: User, level: Level) => {
    const key = cellKey(inbox.id, user.id);
    const before = grid?.[inbox.id]?.[user.id];
    const put = (value: Access | undefined) =>
      access.mutate((g) => {
        const row = { ...g[inbox.id] };
        if (value) row[user.id] = value;
        else delete row[user.id];
        return { ...g, [inbox.id]: row };
      });
    put(level === "none" ? undefined : level);
    setCells((c) => ({ ...c, [key]: "saving" }));
    setError(null);
    try {
      if (level === "none") await api.removeAccess(inbox.id, user.id);
      else await api.setAccess(inbox.id, user.id, level);
      setCells((c) => ({ ...c, [key]: "saved" }));
      setTimeout(() => setCells((c) => (c[key] === "saved" ? omit(c, key) : c)), 1600);
    } catch (err) {
      put(before);
      setCells((c) => omit(c, key));
      setError(err);
    }
  };

  return (
    <section class="card" data-testid="settings-access">
      <div class="card-head">
        <h2>Inbox access</h2>
        <p>What each agent can do in each inbox. Changes save as you make them.</p>
      </div>
      {inboxes.length === 0 || agents.length === 0 ? (
        <p class="card-empty">
          {inboxes.length === 0 ? "Create an inbox first." : "Add an agent above to give them access to inboxes."}
        </p>
      ) : loadError ? (
        <ErrorNotice error={loadError} onRetry={() => void access.reload()} />
      ) : !grid ? (
        <Spinner label="Loading access…" />
      ) : (
        <div class="access-scroll">
          <table class="table access-table" data-testid="access-table">
            <thead>
              <tr>
                <th>Agent</th>
                {inboxes.map((i) => (
                  <th key={i.id} title={i.name}>
                    <span class="with-icon">
                      <ChannelIcon channel={i.channel} />
                      <span class="access-inbox">{i.name}</span>
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {agents.map((u) => (
                <tr key={u.id} data-testid="access-row" data-user-id={u.id}>
                  <td>
                    <span class="with-icon strong">
                      <Avatar name={u.name} size={24} />
                      {u.name}
                    </span>
                  </td>
                  {inboxes.map((i) => {
                    const level: Level = grid[i.id]?.[u.id] ?? "none";
                    const state = cells[cellKey(i.id, u.id)];
                    return (
                      <td key={i.id}>
                        <span class="access-cell">
                          <select
                            class={`access-select level-${level}`}
                            value={level}
                            onChange={(e) => void change(i, u, e.currentTarget.value as Level)}
                            disabled={state === "saving"}
                            aria-label={`${u.name} in ${i.name}`}
                            title={LEVELS.find((l) => l.id === level)?.hint}
                            data-testid="access-cell"
                            data-user-id={u.id}
                            data-inbox-id={i.id}
                          >
                            {levelOptions}
                          </select>
                          <span
                            class={`cell-state${state ? ` is-${state}` : ""}`}
                            aria-live="polite"
                            data-testid={state === "saved" ? "access-saved" : undefined}
                          >
                            {state === "saving" ? <span class="spinner" /> : state === "saved" ? "✓" : ""}
                          </span>
                        </span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admins.length > 0 && (
        <p class="access-admins">
          <span class="role role-admin">Admin</span> {admins.map((a) => a.name).join(", ")}{" "}
          {admins.length === 1 ? "has" : "have"} reply access to every inbox.
        </p>
      )}
      <ul class="access-legend">
        {LEVELS.map((l) => (
          <li key={l.id}>
            <span class={`legend-dot level-${l.id}`} aria-hidden="true" />
            <strong>{l.label}</strong> — {l.hint.toLowerCase()}
          </li>
        ))}
      </ul>
      <ErrorNotice error={error} onDismiss={() => setError(null)} />
    </section>
  );
}

function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _, ...rest } = record;
  return rest;
}
