import { applyD1Migrations, env, reset } from "cloudflare:test";
import { beforeEach } from "vitest";
import { installStrictD1 } from "./strict-d1";

// The suite's D1 refuses what remote D1 refuses (see strict-d1.ts), for the tests' binding and the worker's alike.
installStrictD1(env.DB);

/**
 * Drops every table. `reset()` deletes all Durable Object storage, and local
 * D1 is one; but an object still busy with a straggling read from the last
 * test (a room's publication runs after its answer) can be skipped, so the
 * database is emptied explicitly too.
 */
async function emptyDatabase() {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  if (!results.length) return;
  await env.DB.batch([
    env.DB.prepare("PRAGMA defer_foreign_keys = on"),
    ...results.map((t) => env.DB.prepare(`DROP TABLE IF EXISTS "${t.name}"`)),
  ]);
}

// Each test starts from an empty, migrated database, so it can run the real first-run setup.
beforeEach(async () => {
  await reset();
  await emptyDatabase();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});
