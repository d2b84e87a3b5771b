import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { etag } from "hono/etag";
import { HTTPException } from "hono/http-exception";
import { MAX_BODY_BYTES } from "./contract";
import { checkOrigin, requireActor } from "./auth/session";
import type { AppEnv } from "./env";
import { AppError } from "./errors";
import { DOCS_CSP, DOCS_PAGE } from "./openapi/docs-page";
import { buildDocument } from "./openapi/document";
import { attachmentReadRoutes, attachmentUploadRoutes } from "./routes/attachments";
import { authRoutes } from "./routes/auth";
import { contactRoutes } from "./routes/contacts";
import { conversationRoutes } from "./routes/conversations";
import { inboxRoutes } from "./routes/inboxes";
import { invitationRoutes } from "./routes/invitations";
import { savedReplyRoutes, tagRoutes } from "./routes/library";
import { agentLiveRoutes, customerLiveRoutes } from "./routes/live";
import { notificationRoutes } from "./routes/notifications";
import { reportRoutes } from "./routes/reports";
import { ruleRoutes } from "./routes/rules";
import { searchRoutes } from "./routes/search";
import { teamRoutes } from "./routes/teams";
import { webhookRoutes } from "./routes/webhooks";
import { linkRoutes, ticketRoutes } from "./routes/tickets";
import { meRoutes, userRoutes } from "./routes/users";
import { pushSubscriptionRoutes } from "./routes/push-subscriptions";
import { widgetCors, widgetRoutes } from "./routes/widget";

const jsonBodyLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError("payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES / 1024} KiB`);
  },
});

const isUpload = (method: string, path: string) => method === "POST" && /\/attachments\/?$/.test(path);

let document: ReturnType<typeof buildDocument> | undefined;

const api = new Hono<AppEnv>()
  // Before the body limit, so the widget can read even a 413.
  .use("/widget/*", widgetCors)
  .use("/attachments/*", widgetCors)
  // File uploads stream to R2 under their own, larger cap (see attachments/stream.ts).
  .use("*", (c, next) => (isUpload(c.req.method, c.req.path) ? next() : jsonBodyLimit(c, next)))
  .route("/attachments", attachmentReadRoutes)
  // The widget is public and cross-origin (CORS, contact tokens): no cookies, no Origin check.
  .route("/widget", customerLiveRoutes)
  .route("/widget", widgetRoutes)
  // The OpenAPI document, built once per isolate from the route table itself.
  .get("/openapi.json", etag(), async (c) => {
    document ??= buildDocument(app);
    c.header("Cache-Control", "public, no-cache");
    return c.json(await document);
  })
  .get("/docs", (c) => {
    c.header("Content-Security-Policy", DOCS_CSP);
    c.header("X-Content-Type-Options", "nosniff");
    return c.html(DOCS_PAGE);
  })
  .use("*", checkOrigin)
  .route("/", authRoutes)
  .use("*", requireActor)
  .route("/attachments", attachmentUploadRoutes)
  .route("/me", meRoutes)
  .route("/me/push-subscriptions", pushSubscriptionRoutes)
  .route("/users", userRoutes)
  .route("/invitations", invitationRoutes)
  .route("/inboxes", inboxRoutes)
  .route("/inboxes", ruleRoutes)
  .route("/", agentLiveRoutes)
  .route("/conversations", conversationRoutes)
  .route("/conversations", linkRoutes)
  .route("/tickets", ticketRoutes)
  .route("/search", searchRoutes)
  .route("/reports", reportRoutes)
  .route("/contacts", contactRoutes)
  .route("/teams", teamRoutes)
  .route("/tags", tagRoutes)
  .route("/saved-replies", savedReplyRoutes)
  .route("/notifications", notificationRoutes)
  .route("/webhooks", webhookRoutes)
  .all("*", () => {
    throw new AppError("not_found", "No such endpoint");
  });

/** The Hono app: the JSON API under /api; everything else is the web client's static assets. */
export const app = new Hono<AppEnv>()
  .route("/api", api)
  .onError((error, c) => {
    if (error instanceof AppError) return c.json(error.toBody(), error.status as 400);
    if (error instanceof HTTPException && error.status < 500) {
      // Hono's own refusals (malformed JSON and the like) in the contract's shape.
      const code = error.status === 400 ? "validation_failed" : error.status === 401 ? "unauthenticated" : "not_found";
      return c.json(new AppError(code, error.message || "Bad request").toBody(), error.status);
    }
    console.error("unhandled error", c.req.method, c.req.path, error);
    return c.json(new AppError("internal", "Something went wrong on our side").toBody(), 500);
  })
  .notFound((c) => c.json(new AppError("not_found", "No such endpoint").toBody(), 404));
