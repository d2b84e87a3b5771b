/** The list client's page filling (web/lib/fill-page.ts): short pages are followed until a page's worth. */
import { describe, expect, it } from "vitest";
import { fillPage, type Page } from "../../web/lib/fill-page";

/** A server whose pages hold the given numbers of rows, in order; the cursor is the page's index. */
function pages(sizes: number[]) {
  const asked: (string | undefined)[] = [];
  let row = 0;
  const rows = sizes.map((n) => Array.from({ length: n }, () => row++));
  const fetchPage = async (cursor: string | undefined): Promise<Page<number>> => {
    asked.push(cursor);
    const i = cursor === undefined ? 0 : Number(cursor);
    return { items: rows[i]!, nextCursor: i + 1 < rows.length ? String(i + 1) : null };
  };
  return { fetchPage, asked };
}

describe("fillPage", () => {
  it("follows short and empty pages until it has a page's worth, and keeps the cursor after it", async () => {
    const server = pages([0, 3, 0, 4, 25, 25]);
    const filled = await fillPage(server.fetchPage, 25);
    expect(filled.items).toEqual(Array.from({ length: 32 }, (_, i) => i));
    expect(filled.nextCursor).toBe("5");
    expect(server.asked).toEqual([undefined, "1", "2", "3", "4"]);
  });

  it("stops at the end of the list", async () => {
    const server = pages([2, 0, 1]);
    expect(await fillPage(server.fetchPage, 25)).toEqual({ items: [0, 1, 2], nextCursor: null });
  });

  it("makes at most maxRequests requests, leaving the rest to Load more, and starts from a given cursor", async () => {
    const server = pages([25, 0, 0, 0, 0, 1]);
    const filled = await fillPage(server.fetchPage, 25, "1", 3);
    expect(filled).toEqual({ items: [], nextCursor: "4" });
    expect(server.asked).toEqual(["1", "2", "3"]);
  });
});
