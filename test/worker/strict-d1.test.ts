import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { refusal, scanSql } from "./strict-d1";

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
const values = (n: number) => Array.from({ length: n }, (_, i) => i);
const jsonObject = (pairs: number) =>
  `SELECT json_object(${Array.from({ length: pairs }, (_, i) => `'k${i}', ${i}`).join(", ")}) AS o`;

describe("the test D1 refuses what remote D1 refuses", () => {
  it("binds at most 100 parameters per statement", async () => {
    const ok = await env.DB.prepare(`SELECT json_array(${marks(30)}) AS a, ${marks(70)}`)
      .bind(...values(100))
      .first();
    expect(ok).not.toBeNull();
    await expect(
      env.DB.prepare(`SELECT ${marks(101)}`)
        .bind(...values(101))
        .all(),
    ).rejects.toThrow("D1_ERROR: too many SQL variables");
  });

  it("refuses SQL functions with more than 32 arguments, in prepare, batch and exec", async () => {
    expect(await env.DB.prepare(jsonObject(16)).first<{ o: string }>()).toMatchObject({ o: expect.any(String) });
    const message = "D1_ERROR: too many arguments on function json_object: SQLITE_ERROR";
    await expect(env.DB.prepare(jsonObject(17)).first()).rejects.toThrow(message);
    await expect(env.DB.batch([env.DB.prepare("SELECT 1"), env.DB.prepare(jsonObject(17))])).rejects.toThrow(message);
    await expect(env.DB.exec(jsonObject(17))).rejects.toThrow(message);
    await expect(
      env.DB.prepare(`SELECT coalesce(${marks(33)}) AS c`)
        .bind(...values(33))
        .first(),
    ).rejects.toThrow("too many arguments on function coalesce");
  });

  it("refuses statements longer than 100 KB, and a refused statement in a batch writes nothing", async () => {
    await env.DB.exec("CREATE TABLE strict_probe (v TEXT)");
    const long = `INSERT INTO strict_probe (v) VALUES ('${"x".repeat(100_000)}')`;
    await expect(env.DB.prepare(long).run()).rejects.toThrow("D1_ERROR: statement too long: SQLITE_TOOBIG");
    await expect(
      env.DB.batch([env.DB.prepare("INSERT INTO strict_probe (v) VALUES ('a')"), env.DB.prepare(long)]),
    ).rejects.toThrow("statement too long");
    // A long value is fine as a bound parameter.
    await env.DB.prepare("INSERT INTO strict_probe (v) VALUES (?)").bind("y".repeat(200_000)).run();
    expect(await env.DB.prepare("SELECT count(*) AS n FROM strict_probe").first("n")).toBe(1);
  });

  it("refuses a string or blob over 2 MB, and sessions refuse like the binding", async () => {
    const big = "z".repeat(2_000_001);
    await expect(env.DB.prepare("SELECT length(?) AS n").bind(big).first()).rejects.toThrow(
      "D1_ERROR: string or blob too big: SQLITE_TOOBIG",
    );
    expect(await env.DB.prepare("SELECT length(?) AS n").bind(big.slice(1)).first("n")).toBe(2_000_000);
    const session = env.DB.withSession("first-unconstrained");
    await expect(session.prepare(jsonObject(17)).first()).rejects.toThrow("too many arguments on function json_object");
    await expect(session.batch([session.prepare(jsonObject(17))])).rejects.toThrow("too many arguments");
  });

  it("covers the worker's own bindings: a Durable Object's env.DB is refused too", async () => {
    const stub = env.CONVERSATION_ROOM.get(env.CONVERSATION_ROOM.idFromName("strict-probe"));
    const error = await runInDurableObject(stub, async (room) => {
      const own = (room as unknown as { env: Env }).env.DB;
      return own
        .prepare(jsonObject(20))
        .first()
        .then(
          () => null,
          (e: Error) => e.message,
        );
    });
    expect(error).toContain("too many arguments on function json_object");
  });
});

describe("scanSql", () => {
  it("counts function arguments, not value lists, column lists or strings", () => {
    const create = `CREATE TABLE IF NOT EXISTS wide (${Array.from({ length: 40 }, (_, i) => `c${i} TEXT`).join(", ")})`;
    expect(refusal(create)).toBeNull();
    expect(
      refusal(
        `INSERT INTO wide (${values(40)
          .map((i) => `c${i}`)
          .join(", ")}) VALUES (${values(40).join(", ")})`,
      ),
    ).toBeNull();
    expect(refusal(`SELECT 1 WHERE 1 IN (${values(40).join(", ")})`)).toBeNull();
    expect(refusal(`SELECT 'json_object(${"1,".repeat(40)})'`)).toBeNull();
    expect(refusal(`SELECT max(${values(33).join(", ")})`)?.message).toBe("too many arguments on function max");
    expect(refusal("SELECT count(*), json_object()")).toBeNull();
  });

  it("counts variables per statement, numbered ones by their highest number", () => {
    const [a, b] = scanSql(`SELECT ?, ?; SELECT ?3, ?101, ? -- ?\n`).statements;
    expect(a?.variables).toBe(2);
    expect(b?.variables).toBe(102);
  });
});
