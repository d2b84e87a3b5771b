/**
 * The agent client's HTTP API, one file per resource, gathered into one `api`
 * object so a screen imports a single name. Every answer is parsed with the
 * contract's schemas (see `client.ts`).
 */
import { authApi } from "./auth";
import { contactsApi } from "./contacts";
import { conversationsApi } from "./conversations";
import { inboxesApi } from "./inboxes";
import { libraryApi } from "./library";
import { notificationsApi } from "./notifications";
import { pushApi } from "./push";
import { reportsApi } from "./reports";
import { rulesApi } from "./rules";
import { searchApi } from "./search";
import { teamApi } from "./team";
import { ticketsApi } from "./tickets";
import { webhooksApi } from "./webhooks";

export {
  ApiError,
  collisionItems,
  fieldIssues,
  issueLines,
  validationIssues,
  newIdempotencyKey,
  sessionEnded,
  setUnauthenticatedHandler,
} from "./client";

export const api = {
  ...authApi,
  ...conversationsApi,
  ...teamApi,
  ...inboxesApi,
  ...libraryApi,
  ...ticketsApi,
  ...rulesApi,
  ...notificationsApi,
  ...searchApi,
  ...contactsApi,
  ...webhooksApi,
  ...reportsApi,
  ...pushApi,
};
