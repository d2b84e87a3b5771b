/**
 * Saved-reply placeholders: `{{contact.name}}` and friends, filled when a saved
 * reply is inserted. Pure (no imports), so it is unit-tested with node:test.
 *
 * Rules:
 * - Known placeholders are filled; spaces inside the braces are allowed and
 *   case is ignored (`{{ Contact.Name }}`).
 * - Unknown placeholders are left exactly as written, so a typo stays visible.
 * - A missing contact name becomes "there" ("Hi {{contact.name}}" → "Hi there");
 *   any other missing value becomes an empty string.
 * - The contact's first name is available as `{{contact.first_name}}`.
 */

export type PlaceholderValues = {
  contact: { name: string | null; email: string | null } | null;
  agent: { name: string; email: string } | null;
  workspace: { name: string } | null;
};

/** The placeholders an admin can use, for the cheat-sheet in Settings. */
export const PLACEHOLDERS: { key: string; description: string; example: string }[] = [
  { key: "contact.name", description: "The customer's name, or “there” when it is unknown", example: "Grace Hopper" },
  { key: "contact.first_name", description: "The customer's first name, or “there”", example: "Grace" },
  { key: "contact.email", description: "The customer's email address", example: "grace@example.com" },
  { key: "agent.name", description: "Your name (the agent inserting the reply)", example: "Ada Lovelace" },
  { key: "agent.first_name", description: "Your first name", example: "Ada" },
  { key: "agent.email", description: "Your email address", example: "ada@acme.test" },
  { key: "workspace.name", description: "The name of this workspace", example: "Acme Support" },
];

/** What a missing contact name reads as: "Hi there". */
export const CONTACT_FALLBACK = "there";

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? "";

function lookup(key: string, v: PlaceholderValues): string | undefined {
  const contactName = v.contact?.name?.trim() || null;
  switch (key) {
    case "contact.name":
      return contactName ?? CONTACT_FALLBACK;
    case "contact.first_name":
      return contactName ? firstName(contactName) : CONTACT_FALLBACK;
    case "contact.email":
      return v.contact?.email ?? "";
    case "agent.name":
      return v.agent?.name ?? "";
    case "agent.first_name":
      return v.agent ? firstName(v.agent.name) : "";
    case "agent.email":
      return v.agent?.email ?? "";
    case "workspace.name":
      return v.workspace?.name ?? "";
    default:
      return undefined;
  }
}

/** The template with its known `{{placeholders}}` filled in (see the rules above). */
export function fillPlaceholders(template: string, values: PlaceholderValues): string {
  return template.replace(
    /\{\{\s*([a-zA-Z_.]+)\s*\}\}/g,
    (whole, key: string) => lookup(key.toLowerCase(), values) ?? whole,
  );
}
