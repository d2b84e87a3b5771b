/**
 * Whom an inbox's widget lets start a chat, by its settings. Pure: the route
 * turns a refusal into the API's error before anything is written.
 */
import type { WidgetSettings, WidgetStartInput } from "../contract";

export type StartRefusal =
  | { code: "forbidden"; message: string }
  | { code: "validation_failed"; message: string; details: { path: string[]; message: string }[] };

/** Why `widget` refuses this start, or null: identity first (the stronger rule), then the pre-chat fields. */
export function startRefusal(
  widget: Pick<WidgetSettings, "preChat" | "requireIdentity">,
  input: Pick<WidgetStartInput, "name" | "email" | "identity">,
): StartRefusal | null {
  if (widget.requireIdentity && !input.identity) {
    return {
      code: "forbidden",
      message: "This inbox requires identity verification: the site must identify the visitor (userId and hash)",
    };
  }
  if (widget.preChat !== "required") return null;
  const missing = (["name", "email"] as const).filter((field) => !input[field]);
  if (!missing.length) return null;
  return {
    code: "validation_failed",
    message: `This inbox asks for your ${missing.join(" and ")} before the chat starts`,
    details: missing.map((field) => ({ path: [field], message: "required by this inbox" })),
  };
}
