/** Settings → Team: who is in the workspace, adding teammates, and each agent's access per inbox. */
import { useState } from "preact/hooks";
import type { Access, Inbox, Role, TeamMember, User } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Avatar, ErrorNotice, Field, Spinner } from "../../components/ui";
import { useSession } from "../../session";
import { MAX_NAME_CHARS, MIN_PASSWORD_CHARS } from "../../../../worker/contract";
import { useResource } from "../../hooks/resource";
import { ChannelIcon } from "../../components/icons";
import { type SelectOption, SelectField } from "../../components/select-field";

export function TeamTab({
  inboxes,
  users,
  onUserCreated,
}: {
  inboxes: Inbox[];
  users: TeamMember[];
  onUserCreated: (user: TeamMember) => void;
}) {
  return (
    <>
      <PeopleSection users={users} onCreated={onUserCreated} />
      <AccessSection inboxes={inboxes} users={users} />
    </>
  );
}

const ROLES: SelectOption<Role>[] = [
  { value: "agent", label: "Agent" },
  { value: "admin", label: "Admin" },
];

function PeopleSection({ users, onCreated }: { users: TeamMember[]; onCreated: (user: TeamMember) => void }) {
  const { me } = useSession();
  const empty = { name: "", email: "", password: "", role: "agent" as Role };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const user = await api.createUser(form);
      onCreated(user);
      setForm(empty);
      setDone(
        user.role === "admin"
          ? `${user.name} was added as an admin.`
          : `${user.name} was added. Give them access to an inbox below.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const sorted = [...users].sort((a, b) =>
    a.role === b.role ? a.name.localeCompare(b.name) : a.role === "admin" ? -1 : 1,
  );
  return (
    <section class="card" data-testid="settings-team">
      <div class="card-head">
        <h2>People</h2>
        <p>Admins see and manage everything. Agents see the inboxes you give them access to.</p>
      </div>
      <ul class="people">
        {sorted.map((u) => (
          <li key={u.id} data-testid="user-row" data-user-id={u.id}>
            <Avatar name={u.name} size={30} />
            <span class="strong">
              {u.name}
              {u.id === me.user.id && <span class="muted"> (you)</span>}
            </span>
            <span class="muted">{u.email}</span>
            <span class={`role role-${u.role}`}>{u.role === "admin" ? "Admin" : "Agent"}</span>
          </li>
        ))}
      </ul>
      <form class="inline-form wrap" onSubmit={submit}>
        <Field label="Name">
          <input value={form.name} onInput={set("name")} required maxLength={MAX_NAME_CHARS} data-testid="user-name" />
        </Field>
        <Field label="Email">
          <input type="email" value={form.email} onInput={set("email")} required data-testid="user-email" />
        </Field>
        <Field label="Password">
          <input
            type="password"
            value={form.password}
            onInput={set("password")}
            required
            minLength={MIN_PASSWORD_CHARS}
            autoComplete="new-password"
            data-testid="user-password"
          />
        </Field>
        <SelectField
          label="Role"
          value={form.role}
          options={ROLES}
          onChange={(role) => setForm((f) => ({ ...f, role }))}
          testid="user-role"
        />
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="user-create">
          {busy ? <Spinner label="Adding…" /> : "Add teammate"}
        </button>
      </form>
      {done && (
        <p class="notice notice-success" data-testid="user-created">
          {done}
        </p>
      )}
      <ErrorNotice error={error} />
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
                            {LEVELS.map((l) => (
                              <option key={l.id} value={l.id}>
                                {l.label}
                              </option>
                            ))}
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
