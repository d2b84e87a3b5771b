/**
 * Settings → Rules: each inbox's auto-assignment rules, in the order they run
 * on a new conversation. Toggle, reorder, edit and delete; the inbox is in the
 * URL (`/settings?tab=rules&inbox=…`).
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Inbox, Rule, User } from "../../../../worker/contract";
import { api } from "../../../lib/api";
import { navigate, useLocation } from "../../../lib/router";
import { useResource } from "../../hooks/resource";
import { ErrorNotice, Spinner } from "../../components/ui";
import { ConfirmDialog } from "./confirm-dialog";
import { RuleDialog } from "./rule-dialog";
import { RuleSentence, type Names } from "./rule-text";
import { ArrowIcon, ChannelIcon } from "../../components/icons";

export function RulesTab({ inboxes, users }: { inboxes: Inbox[]; users: User[] }) {
  const location = useLocation();
  const asked = location.query.get("inbox");
  const inbox = inboxes.find((i) => i.id === asked) ?? inboxes[0] ?? null;
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [rowError, setRowError] = useState<{ id: string; error: unknown } | null>(null);
  const loaded = useResource(inbox?.id ?? null, async () => {
    const inboxId = inbox!.id;
    const [r, a, t, g] = await Promise.all([
      api.rules(inboxId),
      api.users({ inboxId, access: "reply" }),
      api.teams(),
      api.tags(),
    ]);
    return { rules: r.items, agents: a.items, teams: t.items, tags: g.items };
  });
  useEffect(() => setRowError(null), [inbox?.id]);

  if (!inbox) {
    return (
      <section class="card" data-testid="settings-rules">
        <RulesHead />
        <div class="card-blank">
          <p class="strong">No inboxes yet</p>
          <p class="muted">Rules belong to an inbox: create one in the Inboxes tab first.</p>
        </div>
      </section>
    );
  }

  const rules = loaded.data?.rules ?? null;
  const inboxId = inbox.id;
  /** The rules of this inbox (a change's answer for another inbox is dropped). */
  const setRules = (next: Rule[]) => loaded.mutate((l) => ({ ...l, rules: next }), { key: inboxId });
  const teams = loaded.data?.teams ?? [];
  const tags = loaded.data?.tags ?? [];
  const names: Names = {
    user: (id) => users.find((u) => u.id === id)?.name,
    team: (id) => teams.find((t) => t.id === id)?.name,
  };

  /** A change to one rule: shown at once, undone (with the reason on its row) if the server refuses. */
  const change = async (rule: Rule, optimistic: Rule[], send: () => Promise<unknown>, focus?: string) => {
    const before = rules ?? [];
    setBusy(rule.id);
    setRowError(null);
    setRules(optimistic);
    try {
      await send();
      await loaded.follow(
        () => api.rules(inboxId),
        (l, r) => ({ ...l, rules: r.items }),
      );
      // Moving re-inserts the row, which drops keyboard focus: put it back on the same button.
      if (focus)
        document
          .querySelector<HTMLElement>(`[data-rule-id="${rule.id}"] [data-testid="${focus}"]:not(:disabled)`)
          ?.focus();
    } catch (err) {
      setRules(before);
      setRowError({ id: rule.id, error: err });
    } finally {
      setBusy(null);
    }
  };
  const toggle = (rule: Rule) =>
    change(
      rule,
      (rules ?? []).map((r) => (r.id === rule.id ? { ...r, enabled: !r.enabled } : r)),
      () => api.updateRule(inbox.id, rule.id, { enabled: !rule.enabled }),
    );
  const move = (rule: Rule, by: -1 | 1) => {
    const list = [...(rules ?? [])];
    const from = list.indexOf(rule);
    const to = from + by;
    if (from === -1 || to < 0 || to >= list.length) return;
    list.splice(from, 1);
    list.splice(to, 0, rule);
    return change(
      rule,
      list,
      () => api.updateRule(inbox.id, rule.id, { position: to }),
      by < 0 ? "rule-up" : "rule-down",
    );
  };
  const saved = (rule: Rule) => {
    const list = rules ?? [];
    setRules(list.some((r) => r.id === rule.id) ? list.map((r) => (r.id === rule.id ? rule : r)) : [...list, rule]);
    setEditing(null);
  };

  return (
    <section class="card" data-testid="settings-rules" data-inbox-id={inbox.id}>
      <RulesHead>
        <button
          type="button"
          class="btn btn-primary"
          onClick={() => setEditing("new")}
          disabled={!rules}
          data-testid="rule-new"
        >
          New rule
        </button>
      </RulesHead>
      <div class="rules-bar">
        <label class="rules-inbox">
          <span class="field-label">Inbox</span>
          <span class="rules-inbox-select">
            <ChannelIcon channel={inbox.channel} />
            <select
              value={inbox.id}
              onChange={(e) =>
                navigate(`/settings?tab=rules&inbox=${encodeURIComponent(e.currentTarget.value)}`, { replace: true })
              }
              data-testid="rules-inbox"
            >
              {inboxes.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name}
                </option>
              ))}
            </select>
          </span>
        </label>
        <p class="rules-how muted small">
          Rules run top to bottom when a conversation is created. A rule applies when all its conditions hold; the first
          assignment and the first priority win, tags add up.
        </p>
      </div>
      {loaded.error ? (
        <ErrorNotice error={loaded.error} onRetry={() => void loaded.reload()} />
      ) : !rules ? (
        <Spinner label="Loading rules…" />
      ) : rules.length === 0 ? (
        <div class="card-blank" data-testid="rules-empty">
          <p class="strong">No rules for {inbox.name} yet</p>
          <p class="muted">
            Route conversations as they arrive: German refunds to Tier 2, VIP customers to urgent, invoices tagged
            billing.
          </p>
        </div>
      ) : (
        <ol class="list-rows rule-rows" data-testid="rule-list">
          {rules.map((rule, i) => (
            <li
              key={rule.id}
              class={`list-row rule-row${rule.enabled ? "" : " is-off"}`}
              data-testid="rule-row"
              data-rule-id={rule.id}
              data-enabled={String(rule.enabled)}
            >
              <span class="rule-pos" aria-hidden="true">
                {i + 1}
              </span>
              <div class="list-row-main">
                <span class="rule-title">
                  <span class="strong" data-testid="rule-name">
                    {rule.name}
                  </span>
                  {!rule.enabled && <span class="rule-off">Off</span>}
                </span>
                <RuleSentence rule={rule} names={names} />
              </div>
              <label class="switch" title={rule.enabled ? "On: runs on new conversations" : "Off: skipped"}>
                <input
                  type="checkbox"
                  role="switch"
                  checked={rule.enabled}
                  aria-checked={rule.enabled}
                  onChange={() => void toggle(rule)}
                  disabled={busy !== null}
                  aria-label={`Rule ${rule.name} enabled`}
                  data-testid="rule-enabled"
                />
                <span class="switch-track" aria-hidden="true" />
              </label>
              <span class="rule-move">
                <button
                  type="button"
                  class="icon-btn"
                  onClick={() => void move(rule, -1)}
                  disabled={busy !== null || i === 0}
                  aria-label={`Move ${rule.name} up`}
                  title="Move up"
                  data-testid="rule-up"
                >
                  <ArrowIcon up />
                </button>
                <button
                  type="button"
                  class="icon-btn"
                  onClick={() => void move(rule, 1)}
                  disabled={busy !== null || i === rules.length - 1}
                  aria-label={`Move ${rule.name} down`}
                  title="Move down"
                  data-testid="rule-down"
                >
                  <ArrowIcon />
                </button>
              </span>
              <div class="list-row-actions">
                <button type="button" class="btn btn-small" onClick={() => setEditing(rule)} data-testid="rule-edit">
                  Edit
                </button>
                <button
                  type="button"
                  class="btn btn-small btn-ghost btn-danger-text"
                  onClick={() => setDeleting(rule)}
                  data-testid="rule-delete"
                >
                  Delete
                </button>
              </div>
              {rowError?.id === rule.id && (
                <div class="row-error">
                  <ErrorNotice error={rowError.error} onDismiss={() => setRowError(null)} />
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
      {editing && loaded.data && (
        <RuleDialog
          inboxId={inbox.id}
          inboxName={inbox.name}
          rule={editing === "new" ? null : editing}
          agents={loaded.data.agents}
          users={users}
          teams={teams}
          tags={tags}
          onClose={() => setEditing(null)}
          onSaved={saved}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete the rule “${deleting.name}”?`}
          confirm="Delete rule"
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.removeRule(inbox.id, deleting.id);
            setRules((rules ?? []).filter((r) => r.id !== deleting.id));
            setDeleting(null);
          }}
        >
          New conversations in {inbox.name} will no longer be routed by it. Conversations it already routed keep their
          assignee, tags and priority.
        </ConfirmDialog>
      )}
    </section>
  );
}

function RulesHead({ children }: { children?: ComponentChildren }) {
  return (
    <div class="card-head card-head-row">
      <div>
        <h2>Auto-assignment rules</h2>
        <p>Assign, tag and prioritise new conversations by channel, contact and keywords.</p>
      </div>
      {children}
    </div>
  );
}
