import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        // A short heartbeat so tests can watch a silent client being swept.
        miniflare: { bindings: { TEST_MIGRATIONS: migrations, HEARTBEAT_TIMEOUT_MS: "1000", EMAIL_STRICT: "1" } },
      }),
    ],
    test: {
      include: ["test/worker/**/*.test.ts", "worker/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      // Generous: a test ends as soon as it passes; a loaded 2-core machine must not fail it by the clock.
      testTimeout: 30_000,
    },
  };
});
