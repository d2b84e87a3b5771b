/**
 * The one way the client reads and writes the API from a component: answers
 * that arrive for a key that is no longer current (the agent moved on to
 * another conversation, view or query, or a newer read started) are dropped,
 * so a slow answer can never paint over a newer screen.
 */
import { useEffect, useRef, useState } from "preact/hooks";

/** What a component reads for one key (a conversation id, a query, an inbox…). */
export interface Resource<T> {
  /** The answer for the current key; with `keepPrevious`, the last answer while the next one loads. */
  data: T | undefined;
  /** The key `data` was read for. */
  dataKey: string | null;
  /** The current key's load failure, or null. */
  error: unknown;
  /** True from a key's first render until its answer (or failure) arrives, and during a reload. */
  loading: boolean;
  /** Reads the current key again; the answers of older reads are dropped. */
  reload(): Promise<void>;
  /**
   * Changes the data in place (a live frame, an optimistic edit, a write's answer). With `key`, only
   * if the data still belongs to that key: an answer about conversation A never lands on B.
   */
  mutate(update: (data: T) => T, options?: { key?: string }): void;
  /**
   * Runs a follow-up read and folds its answer into the data, unless the key changed or a reload
   * started meanwhile (that reload's answer is at least as new). Failures reach the caller.
   */
  follow<R>(read: () => Promise<R>, fold: (data: T, answer: R) => T): Promise<void>;
}

type State<T> = {
  key: string | null;
  data: T | undefined;
  loading: boolean;
  failed: { key: string; error: unknown } | null;
};

/**
 * Reads `load()` for `key` whenever the key changes (not when `load` does: it is
 * called as of the latest render). A null key reads nothing.
 */
export function useResource<T>(
  key: string | null,
  load: () => Promise<T>,
  options: { keepPrevious?: boolean } = {},
): Resource<T> {
  const [state, setState] = useState<State<T>>({ key: null, data: undefined, loading: false, failed: null });
  const latest = useRef({ load, keepPrevious: options.keepPrevious ?? false });
  latest.current = { load, keepPrevious: options.keepPrevious ?? false };
  /** The key as of the latest render, and a count bumped by every read, so older answers can tell. */
  const now = useRef({ key, generation: 0, mounted: true });
  if (now.current.key !== key) {
    now.current.key = key;
    now.current.generation++;
  }
  // Stable across renders, so effects and listeners set up once can hold them.
  const [actions] = useState(() => {
    const isCurrent = (generation: number, forKey: string | null) =>
      now.current.mounted && now.current.generation === generation && now.current.key === forKey;
    return {
      async reload() {
        const forKey = now.current.key;
        const generation = ++now.current.generation;
        if (forKey === null) return;
        setState((s) => ({ ...s, loading: true, failed: null }));
        try {
          const data = await latest.current.load();
          if (isCurrent(generation, forKey)) setState({ key: forKey, data, loading: false, failed: null });
        } catch (error) {
          if (isCurrent(generation, forKey))
            setState((s) => ({ ...s, loading: false, failed: { key: forKey, error } }));
        }
      },
      mutate(update: (data: T) => T, opts: { key?: string } = {}) {
        const forKey = opts.key ?? now.current.key;
        const anyKey = latest.current.keepPrevious && opts.key === undefined;
        setState((s) => (s.data !== undefined && (s.key === forKey || anyKey) ? { ...s, data: update(s.data) } : s));
      },
      async follow<R>(read: () => Promise<R>, fold: (data: T, answer: R) => T) {
        const { generation, key: forKey } = now.current;
        const answer = await read();
        if (!isCurrent(generation, forKey)) return;
        setState((s) => (s.key === forKey && s.data !== undefined ? { ...s, data: fold(s.data, answer) } : s));
      },
    };
  });

  useEffect(() => {
    void actions.reload();
  }, [key]);
  useEffect(() => {
    now.current.mounted = true;
    return () => {
      now.current.mounted = false;
    };
  }, []);

  const ours = state.key === key;
  const shown = ours || options.keepPrevious;
  const error = state.failed && state.failed.key === key ? state.failed.error : null;
  return {
    data: shown ? state.data : undefined,
    dataKey: shown ? state.key : null,
    error,
    loading: key !== null && error === null && (state.loading || !ours),
    ...actions,
  };
}

/** A write a component starts: whether it is running, and its failure. */
export interface Action<A extends unknown[]> {
  /** Starts the write; resolves once it has finished (its failure is in `error`, not thrown). */
  run(...args: A): Promise<void>;
  busy: boolean;
  error: unknown;
  clearError(): void;
}

/**
 * Runs writes for one key. The answer (`onDone`) and the failure are dropped when
 * the component has gone or the key has changed since the write started: a slow
 * save for conversation A does not report on B.
 */
export function useAction<A extends unknown[], R>(
  write: (...args: A) => Promise<R>,
  options: { key?: string | null; onDone?: (result: R, ...args: A) => void } = {},
): Action<A> {
  const [running, setRunning] = useState(0);
  const [failed, setFailed] = useState<{ key: string | null; error: unknown } | null>(null);
  const latest = useRef({ write, options, mounted: true });
  latest.current = { write, options, mounted: true };
  useEffect(
    () => () => {
      latest.current.mounted = false;
    },
    [],
  );
  const key = options.key ?? null;
  return {
    async run(...args: A) {
      const forKey = key;
      const stillHere = () => latest.current.mounted && (latest.current.options.key ?? null) === forKey;
      setFailed(null);
      setRunning((n) => n + 1);
      try {
        const result = await latest.current.write(...args);
        if (stillHere()) latest.current.options.onDone?.(result, ...args);
      } catch (error) {
        if (stillHere()) setFailed({ key: forKey, error });
      } finally {
        if (latest.current.mounted) setRunning((n) => Math.max(0, n - 1));
      }
    },
    busy: running > 0,
    error: failed && failed.key === key ? failed.error : null,
    clearError: () => setFailed(null),
  };
}
