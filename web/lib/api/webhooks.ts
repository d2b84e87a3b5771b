/** The workspace's webhook endpoints (admins): add, change, rotate the secret, test, and the delivery log. */
import {
  CreatedWebhook,
  Webhook,
  WebhookDeliveries,
  WebhookDeliveryAnswer,
  Webhooks,
  type UpdateWebhookInput,
  type WebhookDeliveryStatus,
  type WebhookInput,
} from "../../../worker/contract";
import { enc, type In, query, request } from "./client";

const path = (id: string) => `/api/webhooks/${enc(id)}`;

export const webhooksApi = {
  webhooks: () => request("GET", "/api/webhooks", Webhooks),
  /** The answer carries the signing secret: the only time it is shown. */
  createWebhook: (input: In<typeof WebhookInput>) => request("POST", "/api/webhooks", CreatedWebhook, { body: input }),
  /** Turning an endpoint back on also forgets why Switchboard turned it off. */
  updateWebhook: (id: string, input: In<typeof UpdateWebhookInput>) =>
    request("PATCH", path(id), Webhook, { body: input }),
  deleteWebhook: (id: string) => request("DELETE", path(id), null),
  /** A new secret, shown this once; the old one stops working at once. */
  rotateWebhookSecret: (id: string) => request("POST", `${path(id)}/secret`, CreatedWebhook),
  sendTestWebhook: (id: string) => request("POST", `${path(id)}/test`, WebhookDeliveryAnswer),
  /** Newest first. */
  webhookDeliveries: (id: string, q: { status?: WebhookDeliveryStatus; cursor?: string; limit?: number } = {}) =>
    request("GET", `${path(id)}/deliveries${query(q)}`, WebhookDeliveries),
  /** 409 while the delivery is being sent. */
  retryWebhookDelivery: (id: string, deliveryId: string) =>
    request("POST", `${path(id)}/deliveries/${enc(deliveryId)}/retry`, WebhookDeliveryAnswer),
};
