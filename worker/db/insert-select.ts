import { getTableColumns, is, SQL, sql, type Table } from "drizzle-orm";

/**
 * The select list of an `INSERT INTO table SELECT …` (drizzle's
 * `db.insert(table).select(sql…)`, which names every column of the table in
 * its declared order): one value or expression per column, put in that order.
 */
export function selectList<T extends Table>(table: T, values: { [K in keyof T["$inferSelect"]]: unknown }): SQL {
  const row = values as Record<string, unknown>;
  return sql.join(
    Object.keys(getTableColumns(table)).map((column) => {
      const value = row[column];
      return is(value, SQL) ? value : sql`${typeof value === "boolean" ? Number(value) : value}`;
    }),
    sql`, `,
  );
}
