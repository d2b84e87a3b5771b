/** The one definition of every payload, imported by the worker and the web clients. */
export * from "./errors";
export * from "./limits";
export * from "./common";
export * from "./auth";
export * from "./inboxes";
export * from "./conversations";
export * from "./widget";
export * from "./live";
export * from "./team";
export * from "./events";
export * from "./tickets";
export * from "./rules";
export * from "./responses";
export * from "./email";
export * from "./attachments";
export * from "./webhooks";
export * from "./contacts";
