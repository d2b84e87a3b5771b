import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

const make = (d1: D1Database) => drizzle(d1, { schema });
export type Db = ReturnType<typeof make>;

/** One Drizzle instance per D1 binding: building one walks the whole schema (milliseconds). */
const instances = new WeakMap<D1Database, Db>();
export const getDb = (d1: D1Database): Db => {
  let db = instances.get(d1);
  if (!db) {
    db = make(d1);
    instances.set(d1, db);
  }
  return db;
};
