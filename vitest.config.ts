import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // A short heartbeat so tests can watch a silent client being swept.
            HEARTBEAT_TIMEOUT_MS: "1000",
            // Few list gateways, so a test's handful of users share some and not others (list-shards.test.ts).
            LIST_GATEWAYS: "3",
            EMAIL_STRICT: "1",
            // Webhooks: a wrapping key, a local receiver allowed, and a retry schedule of seconds.
            WEBHOOK_SECRETS_KEY: "test-only key for wrapping webhook secrets, 48 chars",
            ALLOW_LOCAL_WEBHOOKS: "1",
            WEBHOOK_RETRY_SECONDS: "1,1,1",
            WEBHOOK_RECEIVER: inject("webhookReceiver"),
            // Web Push: a VAPID pair for tests only, and a local push service (push-receiver.ts).
            VAPID_PUBLIC_KEY: "BKngqjiHUjOwoDckMCvrE9JFZRWWrR5nlGZfvR8g-_m04JIUSt7H9kdDMpwiuTM_JP8jQBAm29ipAy0Kwyu8yTo",
            VAPID_PRIVATE_KEY: "_2wK98_d4akWZ49rXSACV4rS-jW6m0BC1fL8ZHkLz5s",
            VAPID_SUBJECT: "mailto:push-tests@switchboard.example",
            PUSH_RECEIVER: inject("pushReceiver"),
          },
        },
      })),
    ],
    test: {
      include: ["test/worker/**/*.test.ts", "worker/**/*.test.ts"],
      globalSetup: ["./test/worker/webhook-receiver.ts", "./test/worker/push-receiver.ts"],
      setupFiles: ["./test/worker/apply-migrations.ts"],
      // Generous: a test ends as soon as it passes; a loaded 2-core machine must not fail it by the clock.
      testTimeout: 30_000,
    },
  };
});
