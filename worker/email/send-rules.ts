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

/**
 * Email Service's largest message, attachments included, to any recipient
 * (its limits page: 25 MiB only to the account's own verified addresses,
 * which customers are not). It refuses more with E_CONTENT_TOO_LARGE.
 */
export const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

/** Bytes `n` bytes take in a message: base64, in lines of 76 characters and a line break. */
export const encodedBytes = (n: number) => Math.ceil(Math.ceil(n / 3) * 4 * (78 / 76));

/** Part headers and boundaries of one attachment, beside its name. */
const PART_OVERHEAD = 300;
/** The message's own headers (From, To, Subject, Date, Message-ID, MIME) beside the custom ones. */
const MESSAGE_OVERHEAD = 2048;

/** What a message is made of, for its size: its texts, custom headers, and each file's name and size. */
export interface MessageShape {
  subject: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  files: { filename: string; bytes: number }[];
}

/**
 * The size of the MIME message Email Service builds, estimated on the high
 * side (texts counted as base64 too), so what passes here passes there.
 */
export function messageBytes(m: MessageShape): number {
  let total = MESSAGE_OVERHEAD + bytes(m.subject);
  for (const [name, value] of Object.entries(m.headers ?? {})) total += bytes(name) + bytes(value) + 4;
  if (m.text) total += PART_OVERHEAD + encodedBytes(bytes(m.text));
  if (m.html) total += PART_OVERHEAD + encodedBytes(bytes(m.html));
  for (const f of m.files) total += PART_OVERHEAD + bytes(f.filename) + encodedBytes(f.bytes);
  return total;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes an attachment's content stands for: a string is base64, as Email Service reads it. */
function contentBytes(content: EmailAttachment["content"]): number | null {
  if (typeof content !== "string") return content.byteLength;
  const clean = content.replace(/\s+/g, "");
  if (clean.length % 4 !== 0 || !BASE64.test(clean)) return null;
  return (clean.length / 4) * 3 - (clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0);
}

/**
 * Why Email Service would refuse these attachments or this size, or null.
 * The simulator takes any of it: it stores a non-base64 string as it is, and
 * knows no size limit.
 */
export function contentRefusal(message: EmailMessageBuilder): HeaderRefusal | null {
  const files: MessageShape["files"] = [];
  for (const a of message.attachments ?? []) {
    const invalid = (why: string) => ({ code: "E_VALIDATION_ERROR", message: `Attachment '${a.filename}' ${why}` });
    if (!a.filename) return invalid("has no filename");
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(a.type ?? "")) return invalid("has no valid MIME type");
    if (a.disposition !== "attachment" && a.disposition !== "inline") return invalid("has an unknown disposition");
    if (a.disposition === "inline" && !a.contentId) return invalid("is inline without a contentId");
    const size = contentBytes(a.content);
    if (size === null) return invalid("content is a string that is not base64");
    files.push({ filename: a.filename, bytes: size });
  }
  const size = messageBytes({ ...message, files });
  if (size > MAX_MESSAGE_BYTES)
    return { code: "E_CONTENT_TOO_LARGE", message: `The message is about ${size} bytes; the limit is 5 MiB` };
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
        const content = contentRefusal(message);
        if (content) throw new EmailRefused(content);
      }
      return binding.send(message as EmailMessageBuilder);
    },
  };
}
