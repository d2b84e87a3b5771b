/**
 * What Cloudflare Email Service accepts in `send()`, as its Email headers
 * reference states it: the API fields carry From, To, Cc, Bcc, Subject and
 * Reply-To; `headers` takes only allowlisted names or `X-` names; the platform
 * sets Message-ID, Date, MIME-Version, Content-Type and the like itself.
 * The local simulator applies none of this, so tests wrap the binding.
 */

/** Names that must go in the API fields (E_HEADER_USE_API_FIELD). */
const API_FIELDS = new Set(["from", "to", "cc", "bcc", "subject", "reply-to"]);

/** Allowlisted custom headers; anything else that is not `X-…` is E_HEADER_NOT_ALLOWED. */
const ALLOWED = new Set(
  [
    "In-Reply-To",
    "References",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Id",
    "List-Archive",
    "List-Help",
    "List-Owner",
    "List-Post",
    "List-Subscribe",
    "Precedence",
    "Auto-Submitted",
    "Content-Language",
    "Keywords",
    "Comments",
    "Importance",
    "Priority",
    "Sensitivity",
    "Organization",
    "Require-Recipient-Valid-Since",
    "Expires",
    "Reply-By",
    "Archived-At",
  ].map((h) => h.toLowerCase()),
);

/** Values the reference fixes for some allowlisted headers. */
const VALUES: Record<string, string[]> = {
  precedence: ["bulk", "list", "junk"],
  "auto-submitted": ["auto-generated", "auto-replied", "auto-notified"],
};

/** At most this many ids in References: Email Routing refuses replies to longer chains. */
export const MAX_REFERENCES = 100;
/** A header value's limit in bytes. */
export const MAX_HEADER_VALUE_BYTES = 2048;
const MAX_ALLOWLISTED = 20;
const MAX_TOTAL_BYTES = 16 * 1024;

export interface HeaderRefusal {
  code: string;
  message: string;
}

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** Why Email Service would refuse these `headers`, or null when it accepts them. */
export function headerRefusal(headers: Record<string, string> | undefined): HeaderRefusal | null {
  let allowlisted = 0;
  let total = 0;
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    const custom = lower.startsWith("x-");
    if (API_FIELDS.has(lower))
      return { code: "E_HEADER_USE_API_FIELD", message: `Header '${name}' must be set via its API field` };
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(name) || (!custom && name.includes("_")))
      return { code: "E_HEADER_NAME_INVALID", message: `Header name '${name}' contains invalid characters` };
    if (!custom && !ALLOWED.has(lower))
      return { code: "E_HEADER_NOT_ALLOWED", message: `Header '${name}' is not allowed` };
    if (!value || /[\r\n]/.test(value) || (VALUES[lower] && !VALUES[lower]!.includes(value)))
      return { code: "E_HEADER_VALUE_INVALID", message: `Header '${name}' has an invalid value` };
    if (bytes(value) > MAX_HEADER_VALUE_BYTES)
      return { code: "E_HEADER_VALUE_TOO_LONG", message: `Header '${name}' value exceeds 2048 bytes` };
    if (lower === "references" && value.trim().split(/\s+/).length > MAX_REFERENCES)
      return { code: "E_HEADER_VALUE_INVALID", message: `References holds more than ${MAX_REFERENCES} ids` };
    if (!custom) allowlisted++;
    total += bytes(name) + bytes(value) + 4;
  }
  if (allowlisted > MAX_ALLOWLISTED) return { code: "E_HEADERS_TOO_MANY", message: "Too many allowlisted headers" };
  if (total > MAX_TOTAL_BYTES) return { code: "E_HEADERS_TOO_LARGE", message: "Custom headers exceed 16 KB" };
  return null;
}

/** The error `send()` rejects with; its message starts with the code, as the binding's do. */
export class EmailRefused extends Error {
  constructor(readonly refusal: HeaderRefusal) {
    super(`${refusal.code}: ${refusal.message}`);
    this.name = "EmailRefused";
  }
}

/**
 * The binding as production behaves: refuses what Email Service refuses,
 * forwards everything else to the real binding and returns its result.
 */
export function strictEmail(binding: SendEmail): SendEmail {
  return {
    async send(message: EmailMessage | EmailMessageBuilder) {
      if ("subject" in message) {
        const refusal = headerRefusal(message.headers);
        if (refusal) throw new EmailRefused(refusal);
        if (!message.text && !message.html)
          throw new EmailRefused({ code: "E_CONTENT_MISSING", message: "An email needs a text or html body" });
      }
      return binding.send(message as EmailMessageBuilder);
    },
  };
}
