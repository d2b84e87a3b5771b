/**
 * Auto-assignment rules, pure: which rules hold for a new conversation and
 * what they ask for. Rules run in order; a rule applies when all its
 * conditions hold (a rule with none always applies); the first assignment and
 * the first priority win, tags add up.
 */
import { isSafeRegExp, MAX_RULE_TEXT_CHARS, type Priority, type RuleAction, type RuleCondition } from "../contract";

/** What the rules can look at when a conversation is created. */
export interface Facts {
  channel: string;
  subject: string;
  body: string;
  contact: { email: string; name: string; language: string; tags: string[] };
}

export type Assignment = Extract<RuleAction, { type: "assign_agent" | "assign_round_robin" | "assign_least_loaded" }>;

export interface Outcome {
  assignment: (Assignment & { rule: string }) | null;
  tags: string[];
  priority: Priority | null;
  /** Names of the rules that applied, in order. */
  applied: string[];
}

function valuesOf(field: RuleCondition["field"], facts: Facts): string[] {
  switch (field) {
    case "channel":
      return [facts.channel];
    case "subject":
      return [facts.subject];
    case "body":
      return [facts.body];
    case "contact.email":
      return [facts.contact.email];
    case "contact.name":
      return [facts.contact.name];
    case "contact.language":
      return [facts.contact.language];
    case "contact.tag":
      return facts.contact.tags;
  }
}

/** Case-insensitive; `matches` is a regular expression. */
export function holds(condition: RuleCondition, facts: Facts): boolean {
  const wanted = condition.value.toLowerCase();
  return valuesOf(condition.field, facts).some((raw) => {
    const value = raw.toLowerCase();
    if (condition.op === "equals") return value === wanted;
    if (condition.op === "contains") return value.includes(wanted);
    // Patterns saved before the safety check are skipped rather than risked.
    return isSafeRegExp(condition.value) && new RegExp(condition.value, "i").test(raw.slice(0, MAX_RULE_TEXT_CHARS));
  });
}

export function evaluate(
  rules: { name: string; enabled: boolean; conditions: RuleCondition[]; actions: RuleAction[] }[],
  facts: Facts,
): Outcome {
  const outcome: Outcome = { assignment: null, tags: [], priority: null, applied: [] };
  for (const rule of rules) {
    if (!rule.enabled || !rule.conditions.every((c) => holds(c, facts))) continue;
    outcome.applied.push(rule.name);
    for (const action of rule.actions) {
      if (action.type === "add_tags")
        outcome.tags.push(
          ...action.tags.filter((t) => !outcome.tags.some((have) => have.toLowerCase() === t.toLowerCase())),
        );
      else if (action.type === "set_priority") outcome.priority ??= action.priority;
      else outcome.assignment ??= { ...action, rule: rule.name };
    }
  }
  return outcome;
}

/** Round-robin: the member after the one served last, in a stable order; even under churn of the team. */
export function nextInRotation(candidates: string[], last: string | null): string | null {
  if (!candidates.length) return null;
  const ordered = [...candidates].sort();
  if (last === null) return ordered[0]!;
  return ordered.find((id) => id > last) ?? ordered[0]!;
}

/** Least-loaded: the member with the fewest open conversations; ties go to the first in a stable order. */
export function leastLoaded(load: Map<string, number>): string | null {
  let best: string | null = null;
  for (const [id, count] of [...load].sort(([a], [b]) => a.localeCompare(b))) {
    if (best === null || count < load.get(best)!) best = id;
  }
  return best;
}
