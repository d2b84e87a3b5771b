import { defineConfig } from "drizzle-kit";

// drizzle-kit's `out` is wrangler's `migrations_dir`: one set of SQL files for both.
export default defineConfig({
  dialect: "sqlite",
  schema: "./worker/db/schema.ts",
  out: "./migrations",
});
