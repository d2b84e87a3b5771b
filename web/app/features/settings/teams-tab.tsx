/** Settings → Teams: groups of people conversations can be assigned to (and rules can rotate through). */
import { useState } from "preact/hooks";
import type { Team, User } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { useResource } from "../../hooks/resource";
import { Avatar, Dialog, ErrorNotice, Field, Spinner } from "../../components/ui";
import { fold } from "../../../lib/mentions";
import { ConfirmDialog } from "./confirm-dialog";
import { MAX_NAME_CHARS } from "../../../../worker/contract";
import { DialogActions } from "../../components/dialog-actions";

export function TeamsTab({ users }: { users: User[] }) {
  const list = useResource("teams", () => api.teams().then((r) => r.items));
  const teams = list.data ?? null;
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);

  /** Shown at once, then read again (older reads still under way are dropped). */
  const saved = (team: Team) => {
    list.mutate((l) => [...l.filter((t) => t.id !== team.id), team].sort((a, b) => a.name.localeCompare(b.name)));
    setEditing(null);
    void list.reload();
  };

  return (
    <section class="card" data-testid="settings-teams">
      <div class="card-head card-head-row">
        <div>
          <h2>Teams</h2>
          <p>Assign conversations to a team, like Billing or Tier 2, as well as to a person.</p>
        </div>
        <button type="button" class="btn btn-primary" onClick={() => setEditing("new")} data-testid="team-new">
          New team
        </button>
      </div>
      {list.error ? (
        <ErrorNotice error={list.error} onRetry={() => void list.reload()} />
      ) : !teams ? (
        <Spinner label="Loading teams…" />
      ) : teams.length === 0 ? (
        <div class="card-blank">
          <p class="strong">No teams yet</p>
          <p class="muted">Create one to route conversations to a group instead of one person.</p>
        </div>
      ) : (
        <ul class="list-rows">
          {teams.map((team) => (
            <li key={team.id} class="list-row" data-testid="team-row" data-team-id={team.id}>
              <div class="list-row-main">
                <span class="strong" data-testid="team-name">
                  {team.name}
                </span>
                <span class="muted small" data-testid="team-members">
                  {team.members.length === 0 ? "No members" : team.members.map((m) => m.name).join(", ")}
                </span>
              </div>
              <span class="avatar-stack" aria-hidden="true">
                {team.members.slice(0, 5).map((m) => (
                  <Avatar key={m.id} name={m.name} size={26} />
                ))}
                {team.members.length > 5 && <span class="avatar avatar-more">+{team.members.length - 5}</span>}
              </span>
              <div class="list-row-actions">
                <button type="button" class="btn btn-small" onClick={() => setEditing(team)} data-testid="team-edit">
                  Edit
                </button>
                <button
                  type="button"
                  class="btn btn-small btn-ghost btn-danger-text"
                  onClick={() => setDeleting(team)}
                  data-testid="team-delete"
                >
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <TeamDialog
          team={editing === "new" ? null : editing}
          users={users}
          onClose={() => setEditing(null)}
          onSaved={saved}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the team ${deleting.name}?`}
          confirm="Delete team"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteTeam(deleting.id);
            list.mutate((l) => l.filter((t) => t.id !== deleting.id));
            setDeleting(null);
          }}
        >
          Conversations assigned to this team keep their history but will have no team. Its members stay in the
          workspace.
        </ConfirmDialog>
      )}
    </section>
  );
}

function TeamDialog({
  team,
  users,
  onClose,
  onSaved,
}: {
  team: Team | null;
  users: User[];
  onClose: () => void;
  onSaved: (team: Team) => void;
}) {
  const [name, setName] = useState(team?.name ?? "");
  const [members, setMembers] = useState<Set<string>>(new Set(team?.members.map((m) => m.id)));
  const [filter, setFilter] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const toggle = (id: string) => {
    const next = new Set(members);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setMembers(next);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const memberIds = [...members];
      onSaved(team ? await api.updateTeam(team.id, { name, memberIds }) : await api.createTeam({ name, memberIds }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  const q = fold(filter.trim());
  const sorted = [...users].sort((a, b) => a.name.localeCompare(b.name));
  const shown = sorted.filter((u) => !q || fold(`${u.name} ${u.email}`).includes(q));
  return (
    <Dialog title={team ? `Edit ${team.name}` : "New team"} onClose={onClose} testid="team-dialog">
      <form class="form" onSubmit={submit}>
        <Field label="Name">
          <input
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            required
            maxLength={MAX_NAME_CHARS}
            placeholder="e.g. Billing"
            data-testid="team-name-input"
          />
        </Field>
        <div class="field">
          <span class="field-label">
            Members <span class="muted">· {members.size} selected</span>
          </span>
          {users.length > 6 && (
            <input
              class="member-filter"
              value={filter}
              onInput={(e) => setFilter(e.currentTarget.value)}
              placeholder="Filter people…"
              aria-label="Filter people"
            />
          )}
          <ul class="member-list">
            {shown.map((u) => (
              <li key={u.id}>
                <label class={`member-option${members.has(u.id) ? " is-on" : ""}`}>
                  <input
                    type="checkbox"
                    checked={members.has(u.id)}
                    onChange={() => toggle(u.id)}
                    data-testid="team-member"
                    data-user-id={u.id}
                  />
                  <Avatar name={u.name} size={26} />
                  <span class="member-name">{u.name}</span>
                  <span class="muted small">{u.email}</span>
                </label>
              </li>
            ))}
            {shown.length === 0 && <li class="muted member-none">No one matches “{filter}”</li>}
          </ul>
        </div>
        <ErrorNotice error={error} />
        <DialogActions
          onCancel={onClose}
          label={team ? "Save team" : "Create team"}
          busyLabel="Saving…"
          busy={busy}
          disabled={!name.trim()}
          testid="team-save"
        />
      </form>
    </Dialog>
  );
}
