import type { Access, SearchHit } from "../../contract";
import type { Db } from "../client";
import { getSummary } from "./conversations";

/** Highlight marks snippet() puts around matches; control characters never occur in messages we keep. */
const OPEN = "\u0001";
const CLOSE = "\u0002";

/**
 * The user's words as an FTS5 query: every word must appear, each as a
 * prefix ("refu" finds "refund"). Quotes keep FTS5 syntax out of user input.
 */
export function ftsQuery(text: string): string | null {
  const words = text.match(/[\p{L}\p{N}_@.'-]+/gu)?.slice(0, 12) ?? [];
  const terms = words.map((w) => w.replace(/"/g, "")).filter((w) => w.length > 0);
  return terms.length ? terms.map((w) => `"${w}"*`).join(" AND ") : null;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The snippet as safe HTML: the text escaped, the matches in <mark>. */
export function highlight(snippet: string): string {
  return snippet
    .split(OPEN)
    .map((part, i) => {
      if (i === 0) return escapeHtml(part);
      const [marked, rest = ""] = part.split(CLOSE);
      return `<mark>${escapeHtml(marked ?? "")}</mark>${escapeHtml(rest)}`;
    })
    .join("");
}

type Row = {
  conversation_id: string | null;
  contact_id: string | null;
  kind: SearchHit["matchKind"];
  snippet: string;
  rank: number;
};

/**
 * Ranked search in one workspace, limited to the inboxes `grants` opens.
 * Messages and notes match their conversation; a contact matches their
 * latest conversations. One hit per conversation, its best match.
 */
export async function search(
  db: Db,
  d1: D1Database,
  workspaceId: string,
  grants: Map<string, Access>,
  text: string,
  limit = 25,
): Promise<SearchHit[]> {
  const query = ftsQuery(text);
  if (!query || !grants.size) return [];
  const inboxes = [...grants.keys()];
  const { results } = await d1
    .prepare(
      `WITH hits AS (
         SELECT conversation_id, contact_id, kind, snippet(search_index, 0, ?1, ?2, '…', 16) AS snippet, rank
         FROM search_index WHERE search_index MATCH ?3 AND workspace_id = ?4
         ORDER BY rank LIMIT 200
       )
       SELECT h.conversation_id, NULL AS contact_id, h.kind, h.snippet, h.rank FROM hits h
         JOIN conversations c ON c.id = h.conversation_id
         WHERE h.conversation_id IS NOT NULL AND c.inbox_id IN (SELECT value FROM json_each(?5)) AND c.status != 'merged'
       UNION ALL
       SELECT c.id, h.contact_id, h.kind, h.snippet, h.rank FROM hits h
         JOIN conversations c ON c.contact_id = h.contact_id
         WHERE h.contact_id IS NOT NULL AND c.inbox_id IN (SELECT value FROM json_each(?5)) AND c.status != 'merged'
       ORDER BY rank`,
    )
    .bind(OPEN, CLOSE, query, workspaceId, JSON.stringify(inboxes))
    .all<Row>();
  const best = new Map<string, Row>();
  for (const row of results)
    if (row.conversation_id && !best.has(row.conversation_id)) best.set(row.conversation_id, row);
  const top = [...best.values()].slice(0, limit);
  const ids = top.map((r) => r.conversation_id!);
  const [summaries, withFiles] = await Promise.all([
    Promise.all(ids.map((id) => getSummary(db, id))),
    conversationsWithFiles(d1, ids),
  ]);
  return top.flatMap((r, i) =>
    summaries[i]
      ? [
          {
            ...summaries[i]!,
            matchKind: r.kind,
            match: highlight(r.snippet),
            hasAttachments: withFiles.has(r.conversation_id!),
          },
        ]
      : [],
  );
}

/** Of these conversations, those holding at least one file (the ids travel as one JSON parameter). */
async function conversationsWithFiles(d1: D1Database, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { results } = await d1
    .prepare(
      `SELECT value AS id FROM json_each(?1)
       WHERE EXISTS (SELECT 1 FROM attachments a WHERE a.conversation_id = value)`,
    )
    .bind(JSON.stringify(ids))
    .all<{ id: string }>();
  return new Set(results.map((r) => r.id));
}
