/**
 * The text rules behind @mentions, kept pure (no imports) so they are
 * unit-tested with node:test: where a mention is being typed, who matches it,
 * and which people a finished note still mentions.
 */

export type Person = { id: string; name: string; email?: string };

/** Characters that may come right before an `@` that starts a mention. */
const BEFORE = /[\s([{"'“‘]/;
const WORD = /[\p{L}\p{N}]/u;
const MAX_QUERY = 40;

/**
 * The mention being typed at `caret`: the `@`'s index and what follows it up to
 * the caret. Null when the caret is not in a mention (an email address, a
 * line break or another `@` in between, or too long to be a name).
 */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | null {
  const at = text.lastIndexOf("@", caret - 1);
  if (at < 0) return null;
  if (at > 0 && !BEFORE.test(text[at - 1]!)) return null;
  const query = text.slice(at + 1, caret);
  if (query.length > MAX_QUERY || /[\n@]/.test(query) || query.startsWith(" ")) return null;
  return { start: at, query };
}

/** Lower case without accents, so "luc" finds "Lucía" and "lucia" finds it too. */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** People matching a typed query, best first: name starts with it, then a later word does, then anywhere, then email. */
export function filterPeople<P extends Person>(people: P[], query: string, limit = 8): P[] {
  const q = fold(query.trim());
  const rank = (p: P): number => {
    if (!q) return 0;
    const name = fold(p.name);
    if (name.startsWith(q)) return 0;
    if (name.split(/\s+/).some((w) => w.startsWith(q))) return 1;
    if (name.includes(q)) return 2;
    if (p.email && fold(p.email).startsWith(q)) return 3;
    return -1;
  };
  return people
    .map((p) => ({ p, r: rank(p) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || a.p.name.localeCompare(b.p.name))
    .slice(0, limit)
    .map((x) => x.p);
}

/** One `@Full Name` found in a body: where it starts and ends (the `@` included) and who it is. */
export type MentionSpan = { start: number; end: number; person: Person };

/**
 * The mentions in a body, in order: each `@` (at the start or after a space or
 * bracket) followed by a person's full name that is not run on into another
 * word. The longest name wins, so "@Bea Agent" is Bea Agent, not Bea.
 */
export function findMentions(body: string, people: Person[]): MentionSpan[] {
  const byLength = people.map((p) => ({ p, name: fold(p.name) })).filter((x) => x.name.length > 0);
  byLength.sort((a, b) => b.name.length - a.name.length);
  const spans: MentionSpan[] = [];
  for (let i = body.indexOf("@"); i >= 0; i = body.indexOf("@", i + 1)) {
    if (i > 0 && !BEFORE.test(body[i - 1]!)) continue;
    const rest = fold(body.slice(i + 1, i + 1 + 130));
    const who = byLength.find(({ name }) => rest.startsWith(name) && !WORD.test(rest[name.length] ?? ""));
    if (!who) continue;
    const end = i + 1 + sourceLength(body, i + 1, who.name);
    spans.push({ start: i, end, person: who.p });
    i = end - 1;
  }
  return spans;
}

/** How many characters of `text` from `from` fold to `folded` (folding can shorten decomposed accents). */
function sourceLength(text: string, from: number, folded: string): number {
  for (let n = folded.length; n <= folded.length * 3 && from + n <= text.length; n++) {
    if (fold(text.slice(from, from + n)) === folded) return n;
  }
  return folded.length;
}

/** The ids of the people a body still mentions with their full `@Name` (see findMentions), each once. */
export function mentionedIds(body: string, people: Person[]): string[] {
  return [...new Set(findMentions(body, people).map((m) => m.person.id))];
}

/** A body cut into plain text and mentions, for showing a note with its mentions picked out. */
export function splitMentions(body: string, people: Person[]): (string | { text: string; person: Person })[] {
  const parts: (string | { text: string; person: Person })[] = [];
  let at = 0;
  for (const m of findMentions(body, people)) {
    if (m.start > at) parts.push(body.slice(at, m.start));
    parts.push({ text: body.slice(m.start, m.end), person: m.person });
    at = m.end;
  }
  if (at < body.length) parts.push(body.slice(at));
  return parts;
}

/** The text after replacing the typed `@query` (from `start` to `caret`) with `@Full Name `, and the new caret. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  name: string,
): { text: string; caret: number } {
  const after = text.slice(caret);
  const insert = `@${name}${after.startsWith(" ") ? "" : " "}`;
  const next = text.slice(0, start) + insert + after;
  return { text: next, caret: start + insert.length + (after.startsWith(" ") ? 1 : 0) };
}
