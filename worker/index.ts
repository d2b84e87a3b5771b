import { app } from "./app";

export { ConversationRoom } from "./rooms/conversation-room";
export { WorkspaceHub } from "./rooms/workspace-hub";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
