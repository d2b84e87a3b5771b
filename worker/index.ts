import { app } from "./app";
import { scheduled } from "./cron";
import { email } from "./email/inbound";

export { ConversationRoom } from "./rooms/conversation-room";
export { WorkspaceHub } from "./rooms/workspace-hub";

export default {
  fetch: app.fetch,
  scheduled,
  email,
} satisfies ExportedHandler<Env>;
