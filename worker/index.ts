import { app } from "./app";
import { scheduled } from "./cron";
import { email } from "./email/inbound";
import { queue } from "./webhooks/deliver";
import type { WebhookMessage } from "./webhooks/outbox";

export { ConversationRoom } from "./rooms/conversation-room";
export { InboxHub } from "./rooms/inbox-hub";
export { ListGateway } from "./rooms/list-gateway";
export { WorkspaceHub } from "./rooms/workspace-hub";

export default {
  fetch: app.fetch,
  scheduled,
  email,
  queue,
} satisfies ExportedHandler<Env, WebhookMessage>;
