import { app } from "./app";
import { scheduled } from "./cron";

export { ConversationRoom } from "./rooms/conversation-room";
export { WorkspaceHub } from "./rooms/workspace-hub";

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
