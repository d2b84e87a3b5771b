/**
 * The conversation's side panel: assignee, team, priority, service level, tags
 * and followers.
 * It calls the API itself and reports each new Conversation through `onChange`.
 * With `reply` access everything is editable; with `view` or `note` it reads
 * only, except that anyone who can see the conversation may follow it.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Access, Conversation, Priority, Tag, Team, User } from "../../../../worker/contract";
import { MAX_TAG_CHARS, MAX_TAGS, TagName } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { Link } from "../../../lib/router";
import { Avatar, ErrorNotice, Spinner } from "../../components/ui";
import { type Resource, useAction, useResource } from "../../hooks/resource";
import { useSession } from "../../session";
import { PRIORITIES, PriorityBadge, PriorityIcon, TagChip, tagColor } from "../../components/labels";
import { Picker } from "../../components/picker";
import { TeamIcon } from "../../components/icons";
import { canAdminister } from "../../../../worker/domain/access";
import { useCommands } from "../keyboard/commands";
import { SlaChip, useSlaNow } from "../inbox/sla-chip";
import { formatDuration } from "../../../lib/duration";

export type DetailsPanelProps = {
  /** The conversation as last read or pushed; the panel shows it and keeps no copy. */
  conversation: Conversation;
  /** The signed-in agent's access to the conversation's inbox (admins: "reply"); see `accessTo()` in session.ts. */
  access: Access;
  /** Called with the Conversation the server returned after each change the agent makes here. */
  onChange: (conversation: Conversation) => void;
};

type Busy = "assignee" | "team" | "priority" | "tags" | "followers" | null;

/** The people and lists the pickers offer, read once per inbox. */
function usePanelData(inboxId: string) {
  const orNone = <T,>(list: Resource<T[]>) => list.data ?? (list.error ? [] : null);
  const repliers = useResource(inboxId, () => api.users({ inboxId, access: "reply" }).then((r) => r.items));
  const viewers = useResource(inboxId, () => api.users({ inboxId }).then((r) => r.items));
  const teams = useResource("teams", () => api.teams().then((r) => r.items));
  const tags = useResource("tags", () => api.tags().then((r) => r.items));
  return {
    repliers: orNone(repliers),
    viewers: orNone(viewers),
    teams: orNone(teams),
    tags: orNone(tags),
    reloadTags: tags.reload,
  };
}

export function DetailsPanel({ conversation: c, access, onChange }: DetailsPanelProps) {
  const { me } = useSession();
  const data = usePanelData(c.inboxId);
  const [busy, setBusy] = useState<Busy>(null);
  const canEdit = access === "reply";
  // Keyed by the conversation: a change's answer (or failure) that returns after the agent moved on is dropped.
  const change = useAction((run: () => Promise<Conversation>) => run(), {
    key: c.id,
    onDone: (conversation) => onChange(conversation),
  });
  const error = change.error;
  const act = async (what: Exclude<Busy, null>, run: () => Promise<Conversation>) => {
    setBusy(what);
    await change.run(run);
    setBusy(null);
  };

  const update = (what: "assignee" | "team" | "priority", input: Parameters<typeof api.updateConversation>[1]) =>
    act(what, () => api.updateConversation(c.id, input));
  const setTags = (tags: string[]) =>
    act("tags", async () => {
      const next = await api.setTags(c.id, tags);
      void data.reloadTags();
      return next;
    });
  const addFollower = (userId: string) => act("followers", () => api.addFollower(c.id, userId));
  const removeFollower = (userId: string) =>
    act("followers", async () => {
      await api.removeFollower(c.id, userId);
      return api.conversation(c.id);
    });

  return (
    <div class={`details-panel${canEdit ? "" : " is-readonly"}`} data-testid="details-panel" data-access={access}>
      {error ? <ErrorNotice error={error} onDismiss={change.clearError} /> : null}
      <AssigneeField
        conversation={c}
        canEdit={canEdit}
        busy={busy === "assignee"}
        repliers={data.repliers}
        onAssign={(assigneeId) => update("assignee", { assigneeId })}
      />
      <TeamField
        conversation={c}
        canEdit={canEdit}
        busy={busy === "team"}
        teams={data.teams}
        isAdmin={canAdminister(me.user.role)}
        onChange={(teamId) => update("team", { teamId })}
      />
      <PriorityField
        priority={c.priority}
        canEdit={canEdit}
        busy={busy === "priority"}
        onChange={(priority) => update("priority", { priority })}
      />
      <ServiceLevel conversation={c} />
      <TagsField conversation={c} canEdit={canEdit} busy={busy === "tags"} tags={data.tags} onChange={setTags} />
      <FollowersField
        conversation={c}
        canManage={canEdit}
        busy={busy === "followers"}
        viewers={data.viewers}
        onAdd={addFollower}
        onRemove={removeFollower}
      />
    </div>
  );
}

function Section({
  title,
  children,
  action,
  testid,
}: {
  title: string;
  children: ComponentChildren;
  action?: ComponentChildren;
  testid: string;
}) {
  return (
    <section class="dp-section" data-testid={testid}>
      <div class="dp-head">
        <h3>{title}</h3>
        {action}
      </div>
      {children}
    </section>
  );
}

function AssigneeField(props: {
  conversation: Conversation;
  canEdit: boolean;
  busy: boolean;
  repliers: User[] | null;
  onAssign: (id: string | null) => void;
}) {
  const { me } = useSession();
  const { conversation: c } = props;
  const [picking, setPicking] = useState(false);
  const others = (props.repliers ?? []).filter((u) => u.id !== me.user.id);
  const meCanReply = props.repliers === null || props.repliers.some((u) => u.id === me.user.id);
  const known = new Set([me.user.id, ...others.map((u) => u.id)]);
  // `a`: the same choices as the select, in a picker one can type into.
  useCommands({ assign: props.canEdit && !props.busy && (() => setPicking(true)) });
  const person = (u: { id: string; name: string; email: string }, label = u.name) => ({
    id: u.id,
    label,
    hint: u.email,
    icon: <Avatar name={u.name} size={22} />,
  });
  const choices = [
    { id: "", label: "Unassigned", icon: <span class="avatar avatar-empty" aria-hidden="true" /> },
    ...(meCanReply ? [person(me.user, `${me.user.name} (you)`)] : []),
    ...others.map((u) => person(u)),
  ].filter((o) => o.id !== (c.assignee?.id ?? ""));
  const action =
    props.canEdit && c.assignee?.id !== me.user.id && meCanReply ? (
      <button
        type="button"
        class="link-btn"
        onClick={() => props.onAssign(me.user.id)}
        disabled={props.busy}
        data-testid="assign-to-me"
      >
        Assign to me
      </button>
    ) : undefined;
  return (
    <Section title="Assignee" action={action} testid="dp-assignee">
      {props.canEdit ? (
        <label class={`dp-select${props.busy ? " is-busy" : ""}`}>
          <span class="sr-only">Assignee</span>
          {c.assignee ? (
            <Avatar name={c.assignee.name} size={22} />
          ) : (
            <span class="avatar avatar-empty" aria-hidden="true" />
          )}
          <select
            value={c.assignee?.id ?? ""}
            disabled={props.busy}
            onChange={(e) => props.onAssign(e.currentTarget.value || null)}
            data-testid="dp-assignee-select"
          >
            <option value="">Unassigned</option>
            {meCanReply && <option value={me.user.id}>{me.user.name} (you)</option>}
            {c.assignee && !known.has(c.assignee.id) && <option value={c.assignee.id}>{c.assignee.name}</option>}
            {others.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
          </select>
          {props.busy && <Spinner />}
        </label>
      ) : (
        <p class="dp-value" data-testid="dp-assignee-value">
          {c.assignee ? (
            <>
              <Avatar name={c.assignee.name} size={22} /> {c.assignee.name}
              {c.assignee.id === me.user.id && <span class="muted"> (you)</span>}
            </>
          ) : (
            <span class="muted">Unassigned</span>
          )}
        </p>
      )}
      {picking && (
        <Picker
          class="dp-picker"
          testid="assignee-picker"
          placeholder="Assign to…"
          options={choices}
          onPick={(o) => {
            setPicking(false);
            props.onAssign(o.id || null);
          }}
          emptyText={props.repliers === null ? "Loading teammates…" : "Nobody else can reply in this inbox"}
          onClose={() => setPicking(false)}
        />
      )}
    </Section>
  );
}

function TeamField(props: {
  conversation: Conversation;
  canEdit: boolean;
  busy: boolean;
  teams: Team[] | null;
  isAdmin: boolean;
  onChange: (id: string | null) => void;
}) {
  const { conversation: c, teams } = props;
  const current = teams?.find((t) => t.id === c.teamId);
  if (!props.canEdit || (teams && teams.length === 0)) {
    return (
      <Section title="Team" testid="dp-team">
        <p class="dp-value" data-testid="dp-team-value">
          <TeamIcon />
          {current ? (
            current.name
          ) : c.teamId && !teams ? (
            "…"
          ) : (
            <span class="muted">{teams?.length === 0 ? "No teams yet" : "No team"}</span>
          )}
          {teams?.length === 0 && props.isAdmin && (
            <Link href="/settings?tab=teams" class="dp-aside">
              Create one
            </Link>
          )}
        </p>
      </Section>
    );
  }
  return (
    <Section title="Team" testid="dp-team">
      <label class={`dp-select${props.busy ? " is-busy" : ""}`}>
        <span class="sr-only">Team</span>
        <TeamIcon />
        <select
          value={c.teamId ?? ""}
          disabled={props.busy || !teams}
          onChange={(e) => props.onChange(e.currentTarget.value || null)}
          data-testid="dp-team-select"
        >
          <option value="">No team</option>
          {c.teamId && !current && <option value={c.teamId}>…</option>}
          {(teams ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        {props.busy && <Spinner />}
      </label>
    </Section>
  );
}

function PriorityField(props: {
  priority: Priority;
  canEdit: boolean;
  busy: boolean;
  onChange: (p: Priority) => void;
}) {
  return (
    <Section title="Priority" testid="dp-priority">
      {props.canEdit ? (
        <label class={`dp-select dp-priority priority-${props.priority}${props.busy ? " is-busy" : ""}`}>
          <span class="sr-only">Priority</span>
          <PriorityIcon priority={props.priority} />
          <select
            value={props.priority}
            disabled={props.busy}
            onChange={(e) => props.onChange(e.currentTarget.value as Priority)}
            data-testid="dp-priority-select"
          >
            {PRIORITIES.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
          {props.busy && <Spinner />}
        </label>
      ) : (
        <p class="dp-value" data-testid="dp-priority-value">
          {props.priority === "none" ? (
            <span class="muted">No priority</span>
          ) : (
            <PriorityBadge priority={props.priority} />
          )}
        </p>
      )}
    </Section>
  );
}

/**
 * The clock running now (if the inbox has targets) and what was measured: how
 * long the first answer took, replies sent, how long solving it took, reopenings.
 */
function ServiceLevel({ conversation: c }: { conversation: Conversation }) {
  const now = useSlaNow([c.sla]);
  const m = c.metrics;
  const seconds = (s: number | null, otherwise: string) =>
    s === null ? <span class="muted">{otherwise}</span> : formatDuration(s);
  return (
    <Section title="Service level" testid="dp-sla">
      {c.sla && (
        <p class="dp-value dp-sla-clock">
          <SlaChip clock={c.sla} now={now} />
        </p>
      )}
      <dl class="dp-metrics" title="Counted in the inbox's business hours where it has them">
        <dt>First response</dt>
        <dd data-testid="dp-first-response">{seconds(m.firstResponseSeconds, "Not yet")}</dd>
        <dt>Replies</dt>
        <dd data-testid="dp-replies">{m.replies}</dd>
        <dt>Resolution</dt>
        <dd data-testid="dp-resolution">{seconds(m.resolutionSeconds, "Not resolved")}</dd>
        <dt>Reopened</dt>
        <dd data-testid="dp-reopened">
          {m.reopened === 0 ? <span class="muted">Never</span> : m.reopened === 1 ? "Once" : `${m.reopened} times`}
        </dd>
      </dl>
    </Section>
  );
}

/** Why a typed tag name can't be created, or null when the contract accepts it. */
function tagProblem(name: string): string | null {
  if (TagName.safeParse(name).success) return null;
  if (name.includes(",")) return "Tags can't contain commas";
  if (name.length > MAX_TAG_CHARS) return `Tags are at most ${MAX_TAG_CHARS} characters`;
  return "That isn't a valid tag name";
}

function TagsField(props: {
  conversation: Conversation;
  canEdit: boolean;
  busy: boolean;
  tags: Tag[] | null;
  onChange: (tags: string[]) => void;
}) {
  const [adding, setAdding] = useState(false);
  const current = props.conversation.tags;
  const has = new Set(current.map((t) => t.toLowerCase()));
  const add = (name: string) => {
    setAdding(false);
    if (!has.has(name.toLowerCase())) props.onChange([...current, name]);
  };
  const full = current.length >= MAX_TAGS;
  useCommands({ tags: props.canEdit && !full && !props.busy && (() => setAdding(true)) });
  const action =
    props.canEdit && !full ? (
      <button
        type="button"
        class="link-btn"
        onClick={() => setAdding(true)}
        disabled={props.busy}
        data-testid="tag-add"
      >
        + Add
      </button>
    ) : undefined;
  return (
    <Section title="Tags" action={action} testid="dp-tags">
      <div class="dp-tags">
        {current.map((t) => (
          <TagChip
            key={t}
            name={t}
            color={tagColor(props.tags, t)}
            busy={props.busy}
            onRemove={props.canEdit && !props.busy ? () => props.onChange(current.filter((x) => x !== t)) : undefined}
          />
        ))}
        {current.length === 0 && !adding && <span class="muted dp-none">No tags</span>}
        {props.busy && <Spinner />}
      </div>
      {adding && (
        <Picker
          class="dp-picker"
          testid="tag-picker"
          placeholder="Find or create a tag…"
          options={(props.tags ?? [])
            .filter((t) => !has.has(t.name.toLowerCase()))
            .map((t) => ({
              id: t.id,
              label: t.name,
              icon: <span class="tag-dot" style={{ "--tag": t.color }} aria-hidden="true" />,
            }))}
          onPick={(o) => add(o.label)}
          onCreate={add}
          validateCreate={tagProblem}
          emptyText="Type a name to create the first tag"
          onClose={() => setAdding(false)}
        />
      )}
    </Section>
  );
}

function FollowersField(props: {
  conversation: Conversation;
  canManage: boolean;
  busy: boolean;
  viewers: User[] | null;
  onAdd: (userId: string) => void;
  onRemove: (userId: string) => void;
}) {
  const { me } = useSession();
  const [adding, setAdding] = useState(false);
  const followers = props.conversation.followers;
  const following = followers.some((f) => f.id === me.user.id);
  const ids = new Set(followers.map((f) => f.id));
  const candidates = (props.viewers ?? []).filter((u) => !ids.has(u.id));
  const action = (
    <button
      type="button"
      class={`btn btn-small ${following ? "btn-ghost" : ""} dp-follow`}
      onClick={() => (following ? props.onRemove(me.user.id) : props.onAdd(me.user.id))}
      disabled={props.busy}
      aria-pressed={following}
      data-testid="follow-toggle"
      data-following={following ? "true" : "false"}
    >
      {following ? "Unfollow" : "Follow"}
    </button>
  );
  return (
    <Section
      title={followers.length ? `Followers · ${followers.length}` : "Followers"}
      action={action}
      testid="dp-followers"
    >
      {followers.length === 0 ? (
        <p class="muted dp-none">Nobody follows this yet. Followers hear about every update.</p>
      ) : (
        <ul class="dp-people">
          {followers.map((f) => {
            const self = f.id === me.user.id;
            return (
              <li key={f.id} data-testid="follower" data-user-id={f.id}>
                <Avatar name={f.name} size={24} />
                <span class="dp-person">
                  {f.name}
                  {self && <span class="muted"> (you)</span>}
                </span>
                {(props.canManage || self) && (
                  <button
                    type="button"
                    class="icon-btn dp-x"
                    onClick={() => props.onRemove(f.id)}
                    disabled={props.busy}
                    aria-label={self ? "Stop following" : `Remove ${f.name} from the followers`}
                    title={self ? "Stop following" : `Remove ${f.name}`}
                    data-testid="follower-remove"
                  >
                    ×
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {props.canManage && !adding && (
        <button
          type="button"
          class="link-btn dp-add-person"
          onClick={() => setAdding(true)}
          disabled={props.busy}
          data-testid="follower-add"
        >
          + Add a follower
        </button>
      )}
      {adding && (
        <Picker
          class="dp-picker"
          testid="follower-picker"
          placeholder="Add a teammate…"
          options={candidates.map((u) => ({
            id: u.id,
            label: u.id === me.user.id ? `${u.name} (you)` : u.name,
            hint: u.email,
            icon: <Avatar name={u.name} size={22} />,
          }))}
          onPick={(o) => {
            setAdding(false);
            props.onAdd(o.id);
          }}
          emptyText={
            props.viewers === null ? "Loading teammates…" : "Everyone who can see this inbox already follows it"
          }
          onClose={() => setAdding(false)}
        />
      )}
      {props.busy && <Spinner label="Saving…" />}
    </Section>
  );
}
