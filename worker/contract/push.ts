/**
 * Web Push (SPEC §6.7): the devices an agent gets notifications on, and
 * which kinds of notification reach which channel.
 */
import { z } from "zod";
import { CHANNELS, PREF_KINDS } from "../domain/notification-prefs";
import { Id } from "./common";

/** At most this many devices per agent; subscribing one more replaces the one added longest ago. */
export const MAX_PUSH_DEVICES = 20;

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `${what} must be base64url`)
    .refine((v) => decodedLength(v) === bytes, `${what} must be ${bytes} bytes`);

function decodedLength(v: string): number {
  const bare = v.replace(/=+$/, "");
  return bare.length % 4 === 1 ? -1 : Math.floor((bare.length * 3) / 4);
}

/** `POST /api/me/push-subscriptions`: the browser's `PushSubscription.toJSON()`. */
export const PushSubscriptionInput = z.object({
  endpoint: z.string().min(1).max(2048),
  expirationTime: z.number().nullable().optional(),
  keys: z.strictObject({
    /** The browser's P-256 public key, uncompressed (65 bytes, starting 0x04). */
    p256dh: base64url(65, "keys.p256dh").refine(
      (v) => v.startsWith("B"),
      "keys.p256dh must be an uncompressed P-256 point",
    ),
    /** The 16-byte auth secret. */
    auth: base64url(16, "keys.auth"),
  }),
});
export type PushSubscriptionInput = z.infer<typeof PushSubscriptionInput>;

/** `DELETE /api/me/push-subscriptions?endpoint=`: the device switch turned off, by the endpoint it knows. */
export const PushEndpointQuery = z.strictObject({ endpoint: z.string().min(1).max(2048) });

/** One device, never with its keys. */
export const PushDevice = z.object({
  id: Id,
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastSuccessAt: z.string().nullable(),
  /** True for the device whose endpoint the request named (`?endpoint=`). */
  current: z.boolean(),
});
export type PushDevice = z.infer<typeof PushDevice>;

/** `GET /api/me/push-subscriptions`: the server's VAPID public key (null when push is off) and the devices. */
export const PushDevices = z.object({ publicKey: z.string().nullable(), subscriptions: z.array(PushDevice) });
export type PushDevices = z.infer<typeof PushDevices>;
export const PushDevicesQuery = z.strictObject({ endpoint: z.string().max(2048).optional() });

const KindChannels = z.object({ inApp: z.boolean(), email: z.boolean(), push: z.boolean() });
/** Every kind with its three channels, as the profile shows them. */
export const NotificationPrefs = z.object(
  Object.fromEntries(PREF_KINDS.map((k) => [k, KindChannels])) as Record<
    (typeof PREF_KINDS)[number],
    typeof KindChannels
  >,
);
export type NotificationPrefs = z.infer<typeof NotificationPrefs>;

const ChannelsPatch = z
  .strictObject(
    Object.fromEntries(CHANNELS.map((c) => [c, z.boolean().optional()])) as Record<
      (typeof CHANNELS)[number],
      z.ZodOptional<z.ZodBoolean>
    >,
  )
  .refine((v) => Object.keys(v).length > 0, "name at least one channel");
/** A change to some kinds and channels; an unknown kind or channel is refused. */
export const NotificationPrefsPatch = z
  .strictObject(
    Object.fromEntries(PREF_KINDS.map((k) => [k, ChannelsPatch.optional()])) as Record<
      (typeof PREF_KINDS)[number],
      z.ZodOptional<typeof ChannelsPatch>
    >,
  )
  .refine((v) => Object.keys(v).length > 0, "name at least one kind");
