/** Webhook helpers for the worker tests: endpoints at the test receiver (webhook-receiver.ts), and what it got. */
import { env } from "cloudflare:test";
import { Webhook as Verifier } from "standardwebhooks";
import { expect, vi } from "vitest";
import { WebhookPayload } from "../../worker/contract";
import { conforms, json, type Person } from "./helpers";

export interface Received {
  headers: Record<string, string>;
  body: string;
  answered: number | null;
}

/** A receiver path of the given behaviour (ok, flaky, fail, hang, redirect), unique to the test. */
export const receiverPath = (behaviour: "ok" | "flaky" | "fail" | "hang" | "redirect") =>
  `/${behaviour}/${crypto.randomUUID()}`;

/** An endpoint at the receiver; returns it with its secret (shown once). */
export function addWebhook(admin: Person, path: string, body: Record<string, unknown> = {}) {
  return json(
    admin.as,
    "/api/webhooks",
    {
      body: {
        url: `${env.WEBHOOK_RECEIVER}${path}`,
        events: ["conversation.created", "conversation.updated", "message.created", "rating.created"],
        ...body,
      },
    },
    201,
  );
}

/** What the receiver recorded at `path`, in arrival order. */
export async function received(path: string): Promise<Received[]> {
  return (await fetch(`${env.WEBHOOK_RECEIVER}/log${path}`)).json();
}

/** Waits until the receiver has at least `count` requests at `path`, and returns them. */
export async function receivedAtLeast(path: string, count: number): Promise<Received[]> {
  return vi.waitFor(
    async () => {
      const got = await received(path);
      expect(got.length).toBeGreaterThanOrEqual(count);
      return got;
    },
    { timeout: 20_000, interval: 50 },
  );
}

/**
 * Checks each request's signature with the `standardwebhooks` package (an
 * implementation independent of ours), and its body against the contract's
 * documented payload; returns the payloads with their `webhook-id`.
 */
export function verified(secret: string, requests: Received[]): (WebhookPayload & { id: string })[] {
  const verifier = new Verifier(secret);
  return requests.map((r) => ({
    id: r.headers["webhook-id"]!,
    ...conforms(WebhookPayload, verifier.verify(r.body, r.headers), "a webhook payload"),
  }));
}

/** The payloads of one type. */
export const ofType = <T extends WebhookPayload["type"]>(payloads: WebhookPayload[], type: T) =>
  payloads.filter((p): p is Extract<WebhookPayload, { type: T }> & { id: string } => p.type === type);
