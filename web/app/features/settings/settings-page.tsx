/** Admin settings: inboxes (with their widget keys), teammates, and who may do what in each inbox. */
import { useEffect, useState } from "preact/hooks";
import type { Access, Channel, Inbox, Role, User } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { fullDate } from "../../../lib/time";
import { Avatar, ChannelIcon, EmptyState, ErrorNotice, Field, Loading, Spinner } from "../../components/ui";
import { useSession } from "../../session";

export function SettingsPage() {
  const { me } = useSession();
  const [inboxes, setInboxes] = useState<Inbox[] | null>(null);
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = async () => {
    setError(null);
    try {
      const [i, u] = await Promise.all([api.inboxes(), api.users()]);
      setInboxes(i.items);
      setUsers(u.items);
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    document.title = "Settings · Switchboard";
    if (me.user.role === "admin") void load();
  }, []);

  if (me.user.role !== "admin") {
    return (
      <section class="settings-page">
        <EmptyState title="Only admins can change settings" testid="settings-forbidden" icon="lock">
          <p>Ask an admin of {me.workspace.name} if something needs changing.</p>
        </EmptyState>
      </section>
    );
  }
  return (
    <section class="settings-page" data-testid="settings-page">
      <header class="page-head">
        <div>
          <h1>Settings</h1>
          <p class="page-sub">{me.workspace.name}</p>
        </div>
      </header>
      {error ? (
        <ErrorNotice error={error} onRetry={() => void load()} />
      ) : !inboxes || !users ? (
        <Loading label="Loading settings…" />
      ) : (
        <div class="settings-stack">
          <InboxesSection inboxes={inboxes} onCreated={(inbox) => setInboxes([...inboxes, inbox])} />
          <TeamSection users={users} onCreated={(user) => setUsers([...users, user])} />
          <AccessSection inboxes={inboxes} users={users} />
        </div>
      )}
    </section>
  );
}

function InboxesSection({ inboxes, onCreated }: { inboxes: Inbox[]; onCreated: (inbox: Inbox) => void }) {
  const { refresh } = useSession();
  const [name, setName] = useState("");
  const [channel, setChannel] = useState<Channel>("chat");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const inbox = await api.createInbox({ name, channel });
      onCreated(inbox);
      setName("");
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const copy = async (key: string) => {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(key);
      setTimeout(() => setCopied((c) => (c === key ? null : c)), 1500);
    } catch {
      /* Clipboard may be unavailable (insecure origin); the key stays selectable. */
    }
  };

  return (
    <section class="card" data-testid="settings-inboxes">
      <div class="card-head">
        <h2>Inboxes</h2>
        <p>One inbox per channel or brand. A chat inbox's widget key goes into the script tag on your site.</p>
      </div>
      {inboxes.length === 0 ? (
        <p class="card-empty">No inboxes yet. Create the first one below.</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Channel</th>
              <th>Widget key</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {inboxes.map((inbox) => (
              <tr key={inbox.id} data-testid="inbox-row" data-inbox-id={inbox.id} data-widget-key={inbox.widgetKey}>
                <td class="strong">{inbox.name}</td>
                <td>
                  <span class="with-icon">
                    <ChannelIcon channel={inbox.channel} />
                    {inbox.channel === "chat" ? "Chat" : "Email"}
                  </span>
                  {inbox.emailAddress && <span class="muted small"> {inbox.emailAddress}</span>}
                </td>
                <td>
                  <code class="key" data-testid="widget-key">
                    {inbox.widgetKey}
                  </code>
                  <button type="button" class="btn btn-ghost btn-small" onClick={() => void copy(inbox.widgetKey)}>
                    {copied === inbox.widgetKey ? "Copied" : "Copy"}
                  </button>
                </td>
                <td class="muted">{fullDate(inbox.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" onSubmit={submit}>
        <Field label="New inbox name">
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. Support chat" required maxLength={120} data-testid="inbox-name" />
        </Field>
        <Field label="Channel">
          <select value={channel} onChange={(e) => setChannel(e.currentTarget.value as Channel)} data-testid="inbox-channel">
            <option value="chat">Chat widget</option>
            <option value="email">Email</option>
          </select>
        </Field>
        <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()} data-testid="inbox-create">
          {busy ? <Spinner label="Creating…" /> : "Create inbox"}
        </button>
      </form>
      <ErrorNotice error={error} />
    </section>
  );
}

function TeamSection({ users, onCreated }: { users: User[]; onCreated: (user: User) => void }) {
  const empty = { name: "", email: "", password: "", role: "agent" as Role };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const user = await api.createUser(form);
      onCreated(user);
      setForm(empty);
      setDone(user.role === "admin" ? `${user.name} was added as an admin.` : `${user.name} was added. Give them access to an inbox below.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const sorted = [...users].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <section class="card" data-testid="settings-team">
      <div class="card-head">
        <h2>Team</h2>
        <p>Admins see and manage everything. Agents see the inboxes you give them access to.</p>
      </div>
      <ul class="people">
        {sorted.map((u) => (
          <li key={u.id} data-testid="user-row" data-user-id={u.id}>
            <Avatar name={u.name} size={30} />
            <span class="strong">{u.name}</span>
            <span class="muted">{u.email}</span>
            <span class={`role role-${u.role}`}>{u.role === "admin" ? "Admin" : "Agent"}</span>
          </li>
        ))}
      </ul>
      <form class="inline-form wrap" onSubmit={submit}>
        <Field label="Name">
          <input value={form.name} onInput={set("name")} required maxLength={120} data-testid="user-name" />
        </Field>
        <Field label="Email">
          <input type="email" value={form.email} onInput={set("email")} required data-testid="user-email" />
        </Field>
        <Field label="Password">
          <input type="password" value={form.password} onInput={set("password")} required minLength={8} autoComplete="new-password" data-testid="user-password" />
        </Field>
        <Field label="Role">
          <select value={form.role} onChange={set("role")} data-testid="user-role">
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </Field>
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
const levels: { id: Level; label: string; hint: string }[] = [
  { id: "reply", label: "Reply", hint: "reply, notes, assign and resolve" },
  { id: "note", label: "Notes only", hint: "read and leave internal notes" },
  { id: "view", label: "View only", hint: "read only" },
  { id: "none", label: "No access", hint: "the inbox is hidden" },
];

function AccessSection({ inboxes, users }: { inboxes: Inbox[]; users: User[] }) {
  const agents = users.filter((u) => u.role === "agent").sort((a, b) => a.name.localeCompare(b.name));
  const [form, setForm] = useState<{ inboxId: string; userId: string; level: Level }>({ inboxId: "", userId: "", level: "reply" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [log, setLog] = useState<string[]>([]);
  const inboxId = form.inboxId || inboxes[0]?.id || "";
  const userId = form.userId || agents[0]?.id || "";

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (form.level === "none") await api.removeAccess(inboxId, userId);
      else await api.setAccess(inboxId, userId, form.level);
      const who = agents.find((u) => u.id === userId)?.name ?? "They";
      const where = inboxes.find((i) => i.id === inboxId)?.name ?? "the inbox";
      const what = levels.find((l) => l.id === form.level)!;
      const line = form.level === "none" ? `${who} no longer has access to ${where}.` : `${who} now has ${what.label.toLowerCase()} access to ${where} (${what.hint}).`;
      setLog([line, ...log].slice(0, 5));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" data-testid="settings-access">
      <div class="card-head">
        <h2>Inbox access</h2>
        <p>Choose what an agent can do in an inbox. Admins have reply access everywhere.</p>
      </div>
      {inboxes.length === 0 || agents.length === 0 ? (
        <p class="card-empty">{inboxes.length === 0 ? "Create an inbox first." : "Add an agent first."}</p>
      ) : (
        <form class="inline-form" onSubmit={submit}>
          <Field label="Agent">
            <select value={userId} onChange={(e) => setForm({ ...form, userId: e.currentTarget.value })} data-testid="access-user">
              {agents.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Inbox">
            <select value={inboxId} onChange={(e) => setForm({ ...form, inboxId: e.currentTarget.value })} data-testid="access-inbox">
              {inboxes.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Access">
            <select value={form.level} onChange={(e) => setForm({ ...form, level: e.currentTarget.value as Level })} data-testid="access-level">
              {levels.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="access-save">
            {busy ? <Spinner label="Saving…" /> : "Save access"}
          </button>
        </form>
      )}
      {log.length > 0 && (
        <ul class="access-log" data-testid="access-log">
          {log.map((line, i) => (
            <li key={`${i}-${line}`}>{line}</li>
          ))}
        </ul>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
