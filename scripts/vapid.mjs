// @ts-check
// `npm run vapid`: prints a new VAPID key pair for Web Push and how to set it.
// Run it once per deployment; changing the pair later unsubscribes every device.
import { newVapidKeys } from "./lib/vapid-keys.mjs";

const { publicKey, privateKey } = newVapidKeys();
console.log(`VAPID_PUBLIC_KEY=${publicKey}
VAPID_PRIVATE_KEY=${privateKey}

Set them as Worker secrets (paste each value when asked):
  npx wrangler secret put VAPID_PUBLIC_KEY
  npx wrangler secret put VAPID_PRIVATE_KEY
Optionally who push services may contact (default: mailto:<EMAIL_FROM>):
  npx wrangler secret put VAPID_SUBJECT      # e.g. mailto:ops@example.com`);
