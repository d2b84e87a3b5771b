/** Email threading helpers, pure. */

/** A Message-ID as stored: without angle brackets or spaces, lower-case. */
export function normalizeMessageId(id: string | null | undefined): string | null {
  const trimmed = id?.trim().replace(/^<|>$/g, "").trim().toLowerCase();
  return trimmed ? trimmed : null;
}

/** The ids an email says it answers, newest first: In-Reply-To, then References from the end. */
export function threadIds(inReplyTo: string | undefined, references: string | undefined): string[] {
  const refs = (references?.match(/<[^>]+>|[^\s<>]+/g) ?? []).reverse();
  const ids = [inReplyTo, ...refs].map(normalizeMessageId).filter((id): id is string => id !== null);
  return [...new Set(ids)];
}

/**
 * The new part of an email reply: text above the quoted conversation
 * ("On … wrote:" and the "> " lines under it) and above a "-- " signature.
 */
export function newText(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^On .+ wrote:\s*$/i.test(line) || /^-{2,}\s*Original Message\s*-{2,}$/i.test(line) || line === "-- ") {
      end = i;
      break;
    }
    if (line.startsWith(">") && lines.slice(i).every((l) => l.startsWith(">") || !l.trim())) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end).join("\n").trim();
  return kept || text.trim();
}

/** Plain text from HTML, for emails without a text part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|h[1-6])>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * A References value for a chain of ids (oldest first): the thread's root and
 * the newest ids, at most 100 of them (Email Routing refuses replies past 100)
 * and within a header value's 2,048 bytes.
 */
export function referencesHeader(chain: string[], maxIds = 100, maxBytes = 2048): string {
  const ids = [...new Set(chain)].map((id) => `<${id}>`);
  const root = ids[0];
  if (!root) return "";
  const kept: string[] = [];
  let size = root.length;
  for (let i = ids.length - 1; i > 0 && kept.length < maxIds - 1; i--) {
    const id = ids[i]!;
    if (size + 1 + id.length > maxBytes) break;
    kept.unshift(id);
    size += 1 + id.length;
  }
  return [root, ...kept].join(" ");
}
