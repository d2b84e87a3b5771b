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

const QUOTE_HEADER = /^(On .{1,500} wrote:|-{2,}\s*Original Message\s*-{2,})\s*$/i;

/**
 * The new part of an email reply: text above the quoted conversation
 * ("On … wrote:" and the "> " lines under it) and above a "-- " signature.
 * Linear: whether the rest of the message is all quote is known for every
 * line from one pass from the end.
 */
export function newText(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  // quotedFrom[i]: every line from i on is quoted or blank.
  const quotedFrom: boolean[] = new Array(lines.length + 1);
  quotedFrom[lines.length] = true;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    quotedFrom[i] = quotedFrom[i + 1]! && (line.startsWith(">") || !line.trim());
  }
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "-- " || (line.length <= 600 && QUOTE_HEADER.test(line)) || (line.startsWith(">") && quotedFrom[i])) {
      end = i;
      break;
    }
  }
  const kept = lines.slice(0, end).join("\n").trim();
  return kept || text.trim();
}

const BLOCK_END = /^\/(p|div|li|h[1-6]|tr)$/;
const ENTITIES: Record<string, string> = { nbsp: " ", lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" };

/** What an `<img>` leaves in the text, from its `src` and `alt`: by default nothing. */
export type ImageText = (src: string, alt: string) => string;

const attribute = (tag: string, name: string): string => {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i").exec(tag);
  return (match?.[1] ?? match?.[2] ?? match?.[3] ?? "").trim();
};

/**
 * Plain text from HTML, for emails without a text part. One pass over the
 * input: each tag is found with indexOf, a script or style skips to its end
 * tag (an unclosed one ends the text), so no input makes it quadratic.
 * Images are never fetched: `image` says what each leaves in the text (the
 * inbound mail marks its `cid:` images, which arrive as files).
 */
export function htmlToText(html: string, image: ImageText = () => ""): string {
  const out: string[] = [];
  const closing = /<\/(script|style)\s*>/gi;
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    const gt = html.indexOf(">", lt + 1);
    if (gt < 0) {
      out.push(html.slice(lt));
      break;
    }
    const name = /^\/?[a-z0-9]*/i.exec(html.slice(lt + 1, Math.min(gt, lt + 12)))![0].toLowerCase();
    i = gt + 1;
    if (name === "script" || name === "style") {
      closing.lastIndex = i;
      if (!closing.exec(html)) break;
      i = closing.lastIndex;
    } else if (name === "br") out.push("\n");
    else if (name === "img") {
      const tag = html.slice(lt + 4, gt);
      out.push(image(attribute(tag, "src"), cleanLine(attribute(tag, "alt"))));
    } else if (BLOCK_END.test(name)) out.push("\n");
  }
  return out
    .join("")
    .replace(/&(nbsp|lt|gt|quot|#39|amp);/g, (_, e: string) => ENTITIES[e]!)
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** A header-like line for display: control characters (CR, LF, NUL…) become spaces, runs of space one. */
export function cleanLine(value: string | null | undefined): string {
  return (value ?? "")
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
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
