/**
 * Production D1's refusals, added to the local binding for every worker test.
 *
 * Local D1 runs SQLite with looser limits than remote D1 (Cloudflare's D1
 * limits page): it accepts SQL functions with more than 32 arguments, for
 * one. Installed once per isolate, this patches the binding's classes (the
 * test's `env.DB`, the worker's and every Durable Object's are instances of
 * them), so each statement, whether run alone, in `batch()` or through
 * `exec()`, is refused as remote D1 refuses it, with D1's own messages. It
 * only refuses: everything it lets through runs on the real local D1.
 */

/** Cloudflare's D1 limits page. */
export const D1_LIMITS = {
  boundParameters: 100,
  statementBytes: 100_000,
  functionArguments: 32,
  /** One string or blob (a row may hold 2 MB in all). */
  valueBytes: 2_000_000,
} as const;

type Violation = { message: string; code: "SQLITE_ERROR" | "SQLITE_TOOBIG" };

/** D1's error: `D1_ERROR: <sqlite message>: <code>`, with the bare message as its cause. */
export const d1Error = (v: Violation) =>
  new Error(`D1_ERROR: ${v.message}: ${v.code}`, { cause: new Error(v.message) });

// Words that may precede "(" without being a function call.
const NOT_FUNCTIONS = new Set(
  "in values exists as on using and or not where select from join key table into index references check default unique primary over filter with recursive conflict do returning set by then else when case is like glob match between window partition limit offset union all"
    .split(" ")
    .map((w) => w.toUpperCase()),
);
const AFTER_NAMES = new Set(["TABLE", "INTO", "INDEX", "REFERENCES", "VIEW", "TRIGGER", "EXISTS", "ON", "USING"]);

interface Scan {
  /** Statements, split at top-level semicolons, empty ones dropped. */
  statements: { text: string; variables: number; widestCall: { name: string; args: number } | null }[];
}

/** Tokenizes SQL just enough to count variables and function arguments per statement, outside strings and comments. */
export function scanSql(sql: string): Scan {
  const statements: Scan["statements"] = [];
  let start = 0;
  let anonymous = 0;
  let highestNumbered = 0;
  let widest: { name: string; args: number } | null = null;
  // One frame per open parenthesis: the function it calls (or null) and its argument count so far.
  const frames: { name: string | null; args: number; empty: boolean }[] = [];
  let lastWord: string | null = null;
  let wordBefore: string | null = null;
  const finish = (end: number) => {
    const text = sql.slice(start, end);
    if (text.trim()) statements.push({ text, variables: anonymous + highestNumbered, widestCall: widest });
    start = end + 1;
    anonymous = 0;
    highestNumbered = 0;
    widest = null;
    frames.length = 0;
  };
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const top = frames.at(-1);
    if (top && !/\s|\)/.test(ch) && !(ch === "-" && sql[i + 1] === "-") && !(ch === "/" && sql[i + 1] === "*"))
      top.empty = false;
    if (ch === "'" || ch === '"' || ch === "`" || ch === "[") {
      const close = ch === "[" ? "]" : ch;
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) j += 2;
          else break;
        } else j++;
      }
      wordBefore = lastWord;
      lastWord = null; // a quoted name is never a function
      i = j + 1;
      continue;
    }
    if (ch === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
      continue;
    }
    if (ch === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    if (ch === "?") {
      const digits = /^\d+/.exec(sql.slice(i + 1, i + 12))?.[0];
      if (digits) highestNumbered = Math.max(highestNumbered, Number(digits));
      else anonymous++;
      i += 1 + (digits?.length ?? 0);
      lastWord = null;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i, i + 200))![0];
      wordBefore = lastWord;
      lastWord = word;
      i += word.length;
      continue;
    }
    if (ch === "(") {
      const upper = lastWord?.toUpperCase();
      const isCall = !!upper && !NOT_FUNCTIONS.has(upper) && !(wordBefore && AFTER_NAMES.has(wordBefore.toUpperCase()));
      frames.push({ name: isCall ? lastWord : null, args: 1, empty: true });
    } else if (ch === ",") {
      if (top) top.args++;
    } else if (ch === ")") {
      const frame = frames.pop();
      if (frame?.name) {
        const args = frame.empty ? 0 : frame.args;
        if (!widest || args > widest.args) widest = { name: frame.name, args };
      }
    } else if (ch === ";" && !frames.length) {
      finish(i);
      lastWord = wordBefore = null;
      i++;
      continue;
    }
    if (!/\s/.test(ch)) {
      wordBefore = lastWord;
      lastWord = null;
    }
    i++;
  }
  finish(sql.length);
  return { statements };
}

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** What remote D1 would refuse in this SQL, before any value is bound; null when it would run it. */
export function refusal(sql: string): Violation | null {
  for (const s of scanSql(sql).statements) {
    if (bytes(s.text) > D1_LIMITS.statementBytes) return { message: "statement too long", code: "SQLITE_TOOBIG" };
    if (s.variables > D1_LIMITS.boundParameters) return { message: "too many SQL variables", code: "SQLITE_ERROR" };
    if (s.widestCall && s.widestCall.args > D1_LIMITS.functionArguments)
      return { message: `too many arguments on function ${s.widestCall.name}`, code: "SQLITE_ERROR" };
  }
  return null;
}

/** What remote D1 would refuse in these bound values; null when it would take them. */
export function valuesRefusal(values: unknown[]): Violation | null {
  if (values.length > D1_LIMITS.boundParameters) return { message: "too many SQL variables", code: "SQLITE_ERROR" };
  const tooBig = values.some((v) =>
    typeof v === "string"
      ? v.length > D1_LIMITS.valueBytes / 3 && bytes(v) > D1_LIMITS.valueBytes
      : v instanceof ArrayBuffer || ArrayBuffer.isView(v)
        ? v.byteLength > D1_LIMITS.valueBytes
        : false,
  );
  return tooBig ? { message: "string or blob too big", code: "SQLITE_TOOBIG" } : null;
}

const refused = new WeakMap<object, Violation>();
const INSTALLED = Symbol.for("switchboard.strict-d1");

type Proto = Record<string, unknown> & { [INSTALLED]?: true };

function guard(proto: Proto, method: string, check: (self: object, args: unknown[]) => Violation | null) {
  const original = proto[method] as ((...args: unknown[]) => unknown) | undefined;
  if (typeof original !== "function") return;
  proto[method] = function (this: object, ...args: unknown[]) {
    const violation = check(this, args);
    if (violation) return Promise.reject(d1Error(violation));
    return original.apply(this, args);
  };
}

/**
 * Makes every D1 binding of this isolate refuse what remote D1 refuses.
 * `db` is any D1 binding; its classes are patched, so bindings the worker
 * and its Durable Objects receive are covered too. Idempotent.
 */
export function installStrictD1(db: D1Database): void {
  const dbProto = Object.getPrototypeOf(db) as Proto;
  if (dbProto[INSTALLED]) return;
  patchStatement(Object.getPrototypeOf(db.prepare("SELECT 1")) as Proto);
  patchDatabase(dbProto);
  // D1's sessions (read replication) are their own class with the same methods.
  const session = typeof db.withSession === "function" ? db.withSession("first-unconstrained") : null;
  const sessionProto = session ? (Object.getPrototypeOf(session) as Proto) : null;
  if (sessionProto && sessionProto !== dbProto && !sessionProto[INSTALLED]) {
    patchDatabase(sessionProto);
    sessionProto[INSTALLED] = true;
  }
  dbProto[INSTALLED] = true;
}

function patchDatabase(proto: Proto) {
  const prepare = proto.prepare as (this: D1Database, sql: string) => D1PreparedStatement;
  proto.prepare = function (this: D1Database, sql: string) {
    const statement = prepare.call(this, sql);
    const violation = refusal(sql);
    if (violation) refused.set(statement, violation);
    return statement;
  };
  guard(
    proto,
    "batch",
    (_self, [statements]) => (statements as object[]).map((s) => refused.get(s)).find((v) => v) ?? null,
  );
  guard(proto, "exec", (_self, [sql]) => refusal(String(sql)));
}

function patchStatement(proto: Proto) {
  const bind = proto.bind as (this: D1PreparedStatement, ...values: unknown[]) => D1PreparedStatement;
  proto.bind = function (this: D1PreparedStatement, ...values: unknown[]) {
    const bound = bind.apply(this, values);
    const violation = refused.get(this) ?? valuesRefusal(values);
    if (violation) refused.set(bound, violation);
    return bound;
  };
  for (const method of ["first", "run", "all", "raw"]) guard(proto, method, (self) => refused.get(self) ?? null);
}
