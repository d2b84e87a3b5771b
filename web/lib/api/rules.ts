/** An inbox's auto-assignment rules (admins), in the order they run. */
import { Rule, RuleList, type RuleInput, type UpdateRuleInput } from "../../../worker/contract";
import { enc, type In, request } from "./client";

const path = (inboxId: string) => `/api/inboxes/${enc(inboxId)}/rules`;

export const rulesApi = {
  rules: (inboxId: string) => request("GET", path(inboxId), RuleList),
  createRule: (inboxId: string, input: In<typeof RuleInput>) => request("POST", path(inboxId), Rule, { body: input }),
  /** `position` (0-based) moves the rule; the others are renumbered around it. */
  updateRule: (inboxId: string, ruleId: string, input: In<typeof UpdateRuleInput>) =>
    request("PATCH", `${path(inboxId)}/${enc(ruleId)}`, Rule, { body: input }),
  removeRule: (inboxId: string, ruleId: string) => request("DELETE", `${path(inboxId)}/${enc(ruleId)}`, null),
};
