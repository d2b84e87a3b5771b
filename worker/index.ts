import { app } from "./app";

export { ConversationRoom } from "./rooms/conversation-room";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
