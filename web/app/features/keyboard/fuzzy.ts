/** A small fuzzy match for the command palette: the query's letters in order, contiguous runs and word starts ranked higher. */
import { fold } from "../../../lib/mentions";

/** How well `text` matches `query` (higher is better), or null when it does not; an empty query matches all with 0. */
export function fuzzyScore(query: string, text: string): number | null {
  const q = fold(query).replace(/\s+/g, "");
  const t = fold(text);
  let score = 0;
  let from = 0;
  let last = -2;
  for (const ch of q) {
    const at = t.indexOf(ch, from);
    if (at === -1) return null;
    score += at === last + 1 ? 3 : at === 0 || /[\s@._-]/.test(t[at - 1]!) ? 2 : 1;
    last = at;
    from = at + 1;
  }
  return score;
}

/** The items that match, best first (stable among equals). */
export function fuzzyFilter<T>(query: string, items: T[], text: (item: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, score: fuzzyScore(query, text(item)) }))
    .filter((x): x is { item: T; i: number; score: number } => x.score !== null)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((x) => x.item);
}
