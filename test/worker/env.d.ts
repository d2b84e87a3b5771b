declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** The test receiver's base URL (test/worker/webhook-receiver.ts). */
    WEBHOOK_RECEIVER: string;
    /** The local push service's base URL (test/worker/push-receiver.ts). */
    PUSH_RECEIVER: string;
    /** The test VAPID pair (vitest.config.ts); the public key doubles as a valid browser key. */
    VAPID_PUBLIC_KEY: string;
    VAPID_PRIVATE_KEY: string;
    /** Rounds of `npm run bench:d1` (test/bench/d1-costs.test.ts). */
    BENCH_D1_ROUNDS?: string;
    /** Characters per message in `npm run bench:d1` (0: short lines). */
    BENCH_D1_TEXT?: string;
  }
}
