/**
 * Create or edit one auto-assignment rule: a name, condition rows (field, op,
 * value) and action rows whose picker follows their type. The API's field
 * issues (an invalid regular expression, say) are shown on the row they name.
 */
import { useState } from "preact/hooks";
import type { Priority, Rule, RuleAction, RuleCondition, Tag, Team, User } from "../../../../worker/contract";
import { ApiError, api } from "../../../lib/api";
import { Link } from "../../../lib/router";
import { Dialog, ErrorNotice, Field } from "../../components/ui";
import { PRIORITIES } from "../../components/labels";
import { ACTIONS, FIELDS, OPS, fieldMeta } from "./rule-text";
import {
  MAX_NAME_CHARS,
  MAX_RULE_ACTIONS,
  MAX_RULE_CONDITIONS,
  MAX_RULE_VALUE_CHARS,
} from "../../../../worker/contract";
import { DialogActions } from "../../components/dialog-actions";

type ConditionDraft = RuleCondition & { key: number };
type ActionDraft = {
  key: number;
  type: RuleAction["type"];
  userId: string;
  teamId: string;
  tags: string;
  priority: Priority;
};

/** Field issues of a failed save, by where they belong. */
type Issues = { name: string[]; conditions: Map<number, string[]>; actions: Map<number, string[]>; other: string[] };

let nextKey = 1;

const toConditionDraft = (c: RuleCondition): ConditionDraft => ({ ...c, key: nextKey++ });
const newCondition = (): ConditionDraft => toConditionDraft({ field: "body", op: "contains", value: "" });

function toActionDraft(a: Partial<RuleAction> & { type: RuleAction["type"] }): ActionDraft {
  return {
    key: nextKey++,
    type: a.type,
    userId: "userId" in a ? (a.userId ?? "") : "",
    teamId: "teamId" in a ? (a.teamId ?? "") : "",
    tags: "tags" in a ? (a.tags ?? []).join(", ") : "",
    priority: "priority" in a ? (a.priority ?? "high") : "high",
  };
}

const splitTags = (text: string) => [
  ...new Set(
    text
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  ),
];

function toAction(d: ActionDraft): RuleAction {
  switch (d.type) {
    case "assign_agent":
      return { type: d.type, userId: d.userId };
    case "assign_round_robin":
    case "assign_least_loaded":
      return { type: d.type, teamId: d.teamId };
    case "add_tags":
      return { type: d.type, tags: splitTags(d.tags) };
    case "set_priority":
      return { type: d.type, priority: d.priority };
  }
}

const sentenceCase = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

function issuesOf(error: unknown): Issues | null {
  if (!(error instanceof ApiError) || error.code !== "validation_failed") return null;
  const found: Issues = { name: [], conditions: new Map(), actions: new Map(), other: [] };
  const list = Array.isArray(error.details) ? error.details : [];
  for (const issue of list as { path?: unknown; message?: unknown }[]) {
    if (typeof issue?.message !== "string") continue;
    const path = Array.isArray(issue.path) ? issue.path.map(String) : [];
    const message = sentenceCase(issue.message);
    const [where, index] = path;
    if (where === "name") found.name.push(message);
    else if ((where === "conditions" || where === "actions") && index !== undefined && /^\d+$/.test(index)) {
      const rows = found[where];
      rows.set(Number(index), [...(rows.get(Number(index)) ?? []), message]);
    } else found.other.push(where ? `${sentenceCase(where)}: ${issue.message}` : message);
  }
  return found;
}

export type RuleDialogProps = {
  inboxId: string;
  inboxName: string;
  rule: Rule | null;
  /** Who can own this inbox's conversations (reply access). */
  agents: User[];
  users: User[];
  teams: Team[];
  tags: Tag[];
  onClose: () => void;
  onSaved: (rule: Rule) => void;
};

export function RuleDialog({
  inboxId,
  inboxName,
  rule,
  agents,
  users,
  teams,
  tags,
  onClose,
  onSaved,
}: RuleDialogProps) {
  const [name, setName] = useState(rule?.name ?? "");
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [conditions, setConditions] = useState<ConditionDraft[]>(() =>
    rule ? rule.conditions.map(toConditionDraft) : [newCondition()],
  );
  const [actions, setActions] = useState<ActionDraft[]>(() =>
    rule ? rule.actions.map(toActionDraft) : [toActionDraft({ type: "assign_agent" })],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [issues, setIssues] = useState<Issues | null>(null);

  const forget = (where: "conditions" | "actions", index: number) => {
    if (!issues?.[where].has(index)) return;
    const rows = new Map(issues[where]);
    rows.delete(index);
    setIssues({ ...issues, [where]: rows });
  };
  const setCondition = (index: number, change: Partial<RuleCondition>) => {
    setConditions(conditions.map((c, i) => (i === index ? { ...c, ...change } : c)));
    forget("conditions", index);
  };
  const setAction = (index: number, change: Partial<ActionDraft>) => {
    setActions(actions.map((a, i) => (i === index ? { ...a, ...change } : a)));
    forget("actions", index);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setIssues(null);
    const input = {
      name,
      enabled,
      conditions: conditions.map(({ field, op, value }) => ({ field, op, value })),
      actions: actions.map(toAction),
    };
    try {
      onSaved(rule ? await api.updateRule(inboxId, rule.id, input) : await api.createRule(inboxId, input));
    } catch (err) {
      setError(err);
      setIssues(issuesOf(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={rule ? `Edit rule “${rule.name}”` : `New rule for ${inboxName}`}
      onClose={onClose}
      testid="rule-dialog"
      wide
    >
      <form class="form rule-form" onSubmit={submit}>
        <div class="rule-form-top">
          <Field label="Name">
            <input
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              required
              maxLength={MAX_NAME_CHARS}
              placeholder="e.g. German refunds to Tier 2"
              aria-invalid={issues?.name.length ? true : undefined}
              data-testid="rule-name-input"
              data-autofocus
            />
            <RowIssues lines={issues?.name} />
          </Field>
          <label class="check-row rule-enabled">
            <input
              type="checkbox"
              checked={enabled}
              onChange={(e) => setEnabled(e.currentTarget.checked)}
              data-testid="rule-enabled-input"
            />
            <span>Enabled</span>
          </label>
        </div>

        <fieldset class="rule-block" data-testid="rule-conditions">
          <legend>
            When a new conversation{" "}
            <span class="muted">
              {conditions.length > 1 ? "matches all of these" : conditions.length ? "matches" : "arrives"}
            </span>
          </legend>
          {conditions.length === 0 && (
            <p class="rule-always">No conditions: this rule applies to every new conversation in {inboxName}.</p>
          )}
          {conditions.map((c, i) => (
            <div key={c.key} class="rule-line rule-line-condition" data-testid="rule-condition">
              <div class="rule-line-fields">
                <span class="rule-and" aria-hidden="true">
                  {i > 0 ? "and" : "if"}
                </span>
                <select
                  class="rule-select"
                  value={c.field}
                  onChange={(e) => setCondition(i, { field: e.currentTarget.value as RuleCondition["field"] })}
                  aria-label="Field"
                  data-testid="rule-condition-field"
                >
                  {FIELDS.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.label}
                    </option>
                  ))}
                </select>
                <select
                  class="rule-select rule-op"
                  value={c.op}
                  onChange={(e) => setCondition(i, { op: e.currentTarget.value as RuleCondition["op"] })}
                  aria-label="Comparison"
                  data-testid="rule-condition-op"
                >
                  {OPS.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.label}
                    </option>
                  ))}
                </select>
                <input
                  class={`rule-input${c.op === "matches" ? " is-mono" : ""}`}
                  value={c.value}
                  onInput={(e) => setCondition(i, { value: e.currentTarget.value })}
                  required
                  maxLength={MAX_RULE_VALUE_CHARS}
                  placeholder={c.op === "matches" ? "refund|chargeback" : fieldMeta(c.field).placeholder}
                  aria-label="Value"
                  aria-invalid={issues?.conditions.has(i) ? true : undefined}
                  data-testid="rule-condition-value"
                />
                <RemoveButton
                  label="Remove condition"
                  onClick={() => {
                    setConditions(conditions.filter((_, j) => j !== i));
                    setIssues(null);
                  }}
                  testid="rule-condition-remove"
                />
              </div>
              <RowIssues lines={issues?.conditions.get(i)} />
            </div>
          ))}
          <button
            type="button"
            class="link-btn rule-add"
            onClick={() => setConditions([...conditions, newCondition()])}
            disabled={conditions.length >= MAX_RULE_CONDITIONS}
            data-testid="rule-add-condition"
          >
            + Add condition
          </button>
        </fieldset>

        <fieldset class="rule-block" data-testid="rule-actions">
          <legend>Then</legend>
          {actions.map((a, i) => (
            <div key={a.key} class="rule-line" data-testid="rule-action" data-type={a.type}>
              <div class="rule-line-fields">
                <select
                  class="rule-select rule-action-type"
                  value={a.type}
                  onChange={(e) => setAction(i, { type: e.currentTarget.value as RuleAction["type"] })}
                  aria-label="Action"
                  data-testid="rule-action-type"
                >
                  {ACTIONS.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.label}
                    </option>
                  ))}
                </select>
                <ActionPicker
                  action={a}
                  agents={agents}
                  users={users}
                  teams={teams}
                  tags={tags}
                  invalid={issues?.actions.has(i) ?? false}
                  onChange={(change) => setAction(i, change)}
                />
                <RemoveButton
                  label="Remove action"
                  onClick={() => {
                    setActions(actions.filter((_, j) => j !== i));
                    setIssues(null);
                  }}
                  disabled={actions.length === 1}
                  testid="rule-action-remove"
                />
              </div>
              <RowIssues lines={issues?.actions.get(i)} />
            </div>
          ))}
          <button
            type="button"
            class="link-btn rule-add"
            onClick={() => setActions([...actions, toActionDraft({ type: "add_tags" })])}
            disabled={actions.length >= MAX_RULE_ACTIONS}
            data-testid="rule-add-action"
          >
            + Add action
          </button>
        </fieldset>

        {issues ? (
          (issues.other.length > 0 || issues.name.length + issues.conditions.size + issues.actions.size > 0) && (
            <div class="notice notice-error" role="alert" data-testid="error">
              <div>
                <strong>
                  {issues.other.length
                    ? (error as ApiError).message
                    : "This rule can't be saved yet: see the marked fields."}
                </strong>
                {issues.other.length > 0 && (
                  <ul>
                    {issues.other.map((l) => (
                      <li key={l}>{l}</li>
                    ))}
                  </ul>
                )}
              </div>
            </div>
          )
        ) : (
          <ErrorNotice error={error} />
        )}
        <DialogActions
          onCancel={onClose}
          label={rule ? "Save rule" : "Create rule"}
          busyLabel="Saving…"
          busy={busy}
          disabled={!name.trim()}
          testid="rule-save"
        />
      </form>
    </Dialog>
  );
}

function RowIssues({ lines }: { lines?: string[] }) {
  if (!lines?.length) return null;
  return (
    <p class="rule-issue" role="alert" data-testid="rule-issue">
      {lines.join(" · ")}
    </p>
  );
}

function RemoveButton({
  label,
  onClick,
  disabled,
  testid,
}: {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  testid: string;
}) {
  return (
    <button
      type="button"
      class="icon-btn rule-remove"
      aria-label={label}
      title={disabled ? "A rule needs at least one action" : label}
      onClick={onClick}
      disabled={disabled}
      data-testid={testid}
    >
      ×
    </button>
  );
}

type PickerProps = {
  action: ActionDraft;
  agents: User[];
  users: User[];
  teams: Team[];
  tags: Tag[];
  invalid: boolean;
  onChange: (change: Partial<ActionDraft>) => void;
};

/** The right input for an action's type: an agent, a team, tags or a priority. */
function ActionPicker({ action, agents, users, teams, tags, invalid, onChange }: PickerProps) {
  const ariaInvalid = invalid ? true : undefined;
  switch (action.type) {
    case "assign_agent": {
      // Someone chosen earlier who has since lost reply access stays visible, marked.
      const gone =
        action.userId && !agents.some((u) => u.id === action.userId)
          ? users.find((u) => u.id === action.userId)
          : undefined;
      return (
        <select
          class="rule-select rule-pick"
          value={action.userId}
          onChange={(e) => onChange({ userId: e.currentTarget.value })}
          required
          aria-label="Agent"
          aria-invalid={ariaInvalid}
          data-testid="rule-action-agent"
        >
          <option value="" disabled>
            {agents.length ? "Choose an agent…" : "No one can reply in this inbox"}
          </option>
          {agents.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
          {gone && <option value={gone.id}>{gone.name} (can't reply here)</option>}
        </select>
      );
    }
    case "assign_round_robin":
    case "assign_least_loaded":
      return teams.length === 0 ? (
        <span class="rule-pick rule-pick-empty">
          No teams yet. <Link href="/settings?tab=teams">Create one</Link>
        </span>
      ) : (
        <select
          class="rule-select rule-pick"
          value={action.teamId}
          onChange={(e) => onChange({ teamId: e.currentTarget.value })}
          required
          aria-label="Team"
          aria-invalid={ariaInvalid}
          data-testid="rule-action-team"
        >
          <option value="" disabled>
            Choose a team…
          </option>
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} ({t.members.length})
            </option>
          ))}
        </select>
      );
    case "add_tags":
      return (
        <TagsInput value={action.tags} tags={tags} invalid={invalid} onChange={(text) => onChange({ tags: text })} />
      );
    case "set_priority":
      return (
        <select
          class="rule-select rule-pick"
          value={action.priority}
          onChange={(e) => onChange({ priority: e.currentTarget.value as Priority })}
          aria-label="Priority"
          aria-invalid={ariaInvalid}
          data-testid="rule-action-priority"
        >
          {PRIORITIES.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
      );
  }
}

/** Free text, comma-separated; existing tags offered as one-click suggestions. */
function TagsInput({
  value,
  tags,
  invalid,
  onChange,
}: {
  value: string;
  tags: Tag[];
  invalid: boolean;
  onChange: (text: string) => void;
}) {
  const chosen = new Set(splitTags(value).map((t) => t.toLowerCase()));
  const last = value.split(",").pop()?.trim().toLowerCase() ?? "";
  const offered = tags
    .filter((t) => !chosen.has(t.name.toLowerCase()) && (!last || t.name.toLowerCase().startsWith(last)))
    .slice(0, 6);
  const add = (name: string) => {
    const kept = value
      .split(",")
      .slice(0, last ? -1 : undefined)
      .map((t) => t.trim())
      .filter(Boolean);
    onChange(`${[...kept, name].join(", ")}, `);
  };
  return (
    <div class="rule-pick rule-tags">
      <input
        class="rule-input"
        value={value}
        onInput={(e) => onChange(e.currentTarget.value)}
        onBlur={() => onChange(splitTags(value).join(", "))}
        required
        placeholder="refund, billing"
        aria-label="Tags, separated by commas"
        aria-invalid={invalid ? true : undefined}
        data-testid="rule-action-tags"
      />
      {offered.length > 0 && (
        <span class="rule-tag-hints">
          {offered.map((t) => (
            <button
              key={t.id}
              type="button"
              class="rule-tag-hint"
              style={{ "--tag": t.color }}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => add(t.name)}
            >
              {t.name}
            </button>
          ))}
        </span>
      )}
    </div>
  );
}
