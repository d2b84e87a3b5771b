/** The agent's notifications. */
import { NotificationList, UnreadCount } from "../../../worker/contract";
import { query, request } from "./client";

export const notificationsApi = {
  notifications: (q: { unread?: boolean; limit?: number } = {}) =>
    request(
      "GET",
      `/api/notifications${query({ unread: q.unread ? "true" : undefined, limit: q.limit })}`,
      NotificationList,
    ),
  /** Mark some notifications, or all of them, read; answers the new unread count. */
  readNotifications: (which: { ids: string[] } | { all: true }) =>
    request("POST", "/api/notifications/read", UnreadCount, { body: which }),
};
