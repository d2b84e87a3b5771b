/** Web Push: the devices the signed-in agent gets notifications on (never their keys). */
import { PushDevice, PushDevices, type PushSubscriptionInput } from "../../../worker/contract";
import { enc, request } from "./client";

export const pushApi = {
  /** The server's VAPID public key (null: push isn't set up) and my devices; `endpoint` marks this browser's. */
  pushDevices: (endpoint?: string) =>
    request("GET", `/api/me/push-subscriptions${endpoint ? `?endpoint=${enc(endpoint)}` : ""}`, PushDevices),
  subscribePush: (subscription: PushSubscriptionInput) =>
    request("POST", "/api/me/push-subscriptions", PushDevice, { body: subscription }),
  removePushDevice: (id: string) => request("DELETE", `/api/me/push-subscriptions/${enc(id)}`, null),
};
