import { z } from "zod";
import { Id, Name, Priority } from "./common";
import { TagName } from "./conversations";
import { MAX_RULE_ACTIONS, MAX_RULE_CONDITIONS, MAX_RULE_VALUE_CHARS, MAX_TAGS } from "./limits";

const RuleField = z.enum([
  "channel",
  "subject",
  "body",
  "contact.email",
  "contact.name",
  "contact.language",
  "contact.tag",
]);
const RuleOp = z.enum(["equals", "contains", "matches"]);

export const RuleCondition = z
  .strictObject({ field: RuleField, op: RuleOp, value: z.string().min(1).max(MAX_RULE_VALUE_CHARS) })
  .refine((c) => c.op !== "matches" || isRegExp(c.value), {
    message: "not a valid regular expression",
    path: ["value"],
  })
  .refine((c) => c.op !== "matches" || !isRegExp(c.value) || isSafeRegExp(c.value), {
    message: "a repeated group that itself repeats, or a back-reference, can take forever on some messages",
    path: ["value"],
  });

export const RuleAction = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("assign_agent"), userId: Id }),
  z.strictObject({ type: z.literal("assign_round_robin"), teamId: Id }),
  z.strictObject({ type: z.literal("assign_least_loaded"), teamId: Id }),
  z.strictObject({ type: z.literal("add_tags"), tags: z.array(TagName).min(1).max(MAX_TAGS) }),
  z.strictObject({ type: z.literal("set_priority"), priority: Priority }),
]);

export const RuleInput = z.strictObject({
  name: Name,
  enabled: z.boolean().default(true),
  conditions: z.array(RuleCondition).max(MAX_RULE_CONDITIONS),
  actions: z.array(RuleAction).min(1).max(MAX_RULE_ACTIONS),
});
export const UpdateRuleInput = z
  .strictObject({
    name: Name.optional(),
    enabled: z.boolean().optional(),
    conditions: z.array(RuleCondition).max(MAX_RULE_CONDITIONS).optional(),
    actions: z.array(RuleAction).min(1).max(MAX_RULE_ACTIONS).optional(),
    /** 0-based place in the inbox's order. */
    position: z.number().int().min(0).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change");

export const Rule = z.object({
  id: Id,
  inboxId: Id,
  position: z.number().int(),
  name: z.string(),
  enabled: z.boolean(),
  conditions: z.array(RuleCondition),
  actions: z.array(RuleAction),
});

/**
 * Rules run on customers' text, so a pattern must not backtrack for ever: no
 * quantified group that contains a quantifier (`(a+)+`, `(\w*)*`, `(x{2,})+`)
 * and no back-references. What is left matches in time linear enough for the
 * capped text it is run on (MAX_RULE_TEXT_CHARS).
 */
export function isSafeRegExp(source: string): boolean {
  if (/\\[1-9k]/.test(source)) return false;
  const groups: boolean[] = []; // per open group: does it contain a quantifier?
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      continue;
    }
    if (ch === "[") inClass = true;
    else if (ch === "(") groups.push(false);
    else if (ch === ")") {
      const repeatsInside = groups.pop() ?? false;
      const next = source[i + 1];
      const repeated = next === "*" || next === "+" || (next === "{" && /^\{\d*,\d*\}/.test(source.slice(i + 1)));
      if (repeatsInside && repeated) return false;
      if ((repeatsInside || repeated) && groups.length) groups[groups.length - 1] = true;
    } else if ((ch === "*" || ch === "+" || ch === "{") && groups.length) groups[groups.length - 1] = true;
  }
  return true;
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, "i");
    return true;
  } catch {
    return false;
  }
}

export type RuleCondition = z.infer<typeof RuleCondition>;
export type RuleAction = z.infer<typeof RuleAction>;
export type Rule = z.infer<typeof Rule>;

// Response envelopes

/** `GET /api/inboxes/:id/rules`, in the order they run. */
export const Rules = z.object({ items: z.array(Rule) });
