/**
 * Runs `task` over `items` with at most `limit` running at once, answering in
 * the items' order. A task that throws gives `onError`'s answer for its item;
 * the others carry on.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  onError: (item: T, error: unknown) => R,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      try {
        results[i] = await task(item);
      } catch (error) {
        results[i] = onError(item, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
