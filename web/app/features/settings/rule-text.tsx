/**
 * Rules in words: the labels the editor offers and the one-line sentence the
 * list shows, e.g. "When language is de and body contains refund → round-robin
 * in Tier 2, tag refund, priority high".
 */
import { Fragment, type ComponentChildren } from "preact";
import type { Rule, RuleAction, RuleCondition } from "../../../../worker/contract";

type Field = RuleCondition["field"];
type Op = RuleCondition["op"];
type ActionType = RuleAction["type"];

/** Condition fields, in the editor's order, with their label and their word in a sentence. */
export const FIELDS: { id: Field; label: string; word: string; placeholder: string }[] = [
  { id: "body", label: "Message body", word: "body", placeholder: "refund" },
  { id: "subject", label: "Subject", word: "subject", placeholder: "invoice" },
  { id: "channel", label: "Channel", word: "channel", placeholder: "chat or email" },
  { id: "contact.language", label: "Contact language", word: "language", placeholder: "de" },
  { id: "contact.email", label: "Contact email", word: "email", placeholder: "@bigcustomer.com" },
  { id: "contact.name", label: "Contact name", word: "name", placeholder: "Grace" },
  { id: "contact.tag", label: "Contact tag", word: "contact tag", placeholder: "vip" },
];

export const OPS: { id: Op; label: string; word: string }[] = [
  { id: "contains", label: "contains", word: "contains" },
  { id: "equals", label: "is", word: "is" },
  { id: "matches", label: "matches regex", word: "matches" },
];

export const ACTIONS: { id: ActionType; label: string }[] = [
  { id: "assign_agent", label: "Assign to agent" },
  { id: "assign_round_robin", label: "Round-robin in team" },
  { id: "assign_least_loaded", label: "Least-loaded in team" },
  { id: "add_tags", label: "Add tags" },
  { id: "set_priority", label: "Set priority" },
];

export const fieldMeta = (id: Field) => FIELDS.find((f) => f.id === id) ?? FIELDS[0]!;

/** How to name the people and teams a rule points at. */
export type Names = { user: (id: string) => string | undefined; team: (id: string) => string | undefined };

const Val = ({ children }: { children: ComponentChildren }) => <b class="rule-val">{children}</b>;

function condition(c: RuleCondition): ComponentChildren {
  const value = c.op === "matches" ? `/${c.value}/` : c.value;
  return (
    <>
      {fieldMeta(c.field).word} {OPS.find((o) => o.id === c.op)?.word ?? c.op} <Val>{value}</Val>
    </>
  );
}

function action(a: RuleAction, names: Names): ComponentChildren {
  switch (a.type) {
    case "assign_agent":
      return (
        <>
          assign to <Val>{names.user(a.userId) ?? "a removed agent"}</Val>
        </>
      );
    case "assign_round_robin":
    case "assign_least_loaded":
      return (
        <>
          {a.type === "assign_round_robin" ? "round-robin" : "least-loaded"} in{" "}
          <Val>{names.team(a.teamId) ?? "a removed team"}</Val>
        </>
      );
    case "add_tags":
      return (
        <>
          tag{" "}
          {a.tags.map((t, i) => (
            <Fragment key={i}>
              {i > 0 && (i === a.tags.length - 1 ? " and " : ", ")}
              <Val>{t}</Val>
            </Fragment>
          ))}
        </>
      );
    case "set_priority":
      return (
        <>
          priority <Val>{a.priority}</Val>
        </>
      );
  }
}

function joined(parts: ComponentChildren[], sep: string): ComponentChildren {
  return parts.map((p, i) => (
    <Fragment key={i}>
      {i > 0 && sep}
      {p}
    </Fragment>
  ));
}

/** "When … and … → …, …, …" */
export function RuleSentence({ rule, names }: { rule: Pick<Rule, "conditions" | "actions">; names: Names }) {
  return (
    <span class="rule-sentence" data-testid="rule-sentence">
      {rule.conditions.length === 0 ? (
        "Every new conversation"
      ) : (
        <>When {joined(rule.conditions.map(condition), " and ")}</>
      )}
      <span class="rule-arrow">{" → "}</span>
      {joined(
        rule.actions.map((a) => action(a, names)),
        ", ",
      )}
    </span>
  );
}
