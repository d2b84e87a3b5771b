declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** The test receiver's base URL (test/worker/webhook-receiver.ts). */
    WEBHOOK_RECEIVER: string;
  }
}
