// `npm run bench:d1` (test/bench/): measurements in the Workers runtime, apart from `npm test`.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            BENCH_D1_ROUNDS: process.env.BENCH_D1_ROUNDS ?? "15",
            BENCH_D1_TEXT: process.env.BENCH_D1_TEXT ?? "0",
          },
        },
      }),
    ],
    test: {
      include: ["test/bench/**/*.test.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      testTimeout: 600_000,
    },
  };
});
