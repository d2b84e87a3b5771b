/**
 * Mail no person wrote: auto-replies, out-of-office notes, list traffic and
 * bounces. It is recorded in its conversation but never reopens it, so two
 * robots can't keep a conversation (and its notifications) alive.
 */

/** The headers that tell, as postal-mime hands them over (lower-case keys). */
export interface MailHeaders {
  get(name: string): string | undefined;
}

const SYSTEM_SENDER = /^(mailer-daemon|postmaster)@/i;

/** Why this mail is automatic, or null when a person sent it. */
export function automaticReason(headers: MailHeaders, from: string): string | null {
  const auto = headers.get("auto-submitted")?.trim().toLowerCase();
  if (auto && !auto.startsWith("no")) return `Auto-Submitted: ${auto}`;
  const precedence = headers.get("precedence")?.trim().toLowerCase();
  if (precedence && ["bulk", "junk", "list"].includes(precedence)) return `Precedence: ${precedence}`;
  if (SYSTEM_SENDER.test(from)) return "sent by a mail system";
  if (/^multipart\/report\b/i.test(headers.get("content-type")?.trim() ?? "")) return "a delivery report";
  if (headers.get("x-autoreply") || headers.get("x-autorespond")) return "an auto-reply";
  return null;
}
