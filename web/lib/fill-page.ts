/**
 * The list endpoint bounds the rows it reads per request, so a page of a
 * sparse list may come back short, even empty, with a cursor to go on
 * (README, "Lists and the sweep at scale"). A screen wants a page's worth:
 * this follows the cursor until it has `want` rows, the list ends, or
 * `maxRequests` requests were made (then the cursor is left for "Load more").
 * Pure; no DOM.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const MAX_FILL_REQUESTS = 8;

export async function fillPage<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  want: number,
  cursor?: string,
  maxRequests = MAX_FILL_REQUESTS,
): Promise<Page<T>> {
  const items: T[] = [];
  let next: string | null | undefined = cursor;
  for (let requests = 0; requests < maxRequests; requests++) {
    const page: Page<T> = await fetchPage(next ?? undefined);
    items.push(...page.items);
    next = page.nextCursor;
    if (next === null || items.length >= want) break;
  }
  return { items, nextCursor: next ?? null };
}
