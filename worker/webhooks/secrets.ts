/**
 * Signing secrets and signatures, per the Standard Webhooks specification:
 * a secret is `whsec_` + base64 of 32 random bytes; a signature is
 * `v1,` + base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)).
 *
 * Secrets are stored wrapped: AES-GCM under a key derived (HKDF) from the
 * Worker secret WEBHOOK_SECRETS_KEY, with the endpoint's id as additional
 * data. Someone holding only the database can neither read a secret nor move
 * one to another endpoint, so cannot forge a delivery.
 */

declare global {
  interface Env {
    /** Wraps the endpoints' signing secrets (`wrangler secret put WEBHOOK_SECRETS_KEY`; generated locally). */
    WEBHOOK_SECRETS_KEY?: string;
  }
}

const PREFIX = "whsec_";
const WRAP_VERSION = "v1";
/** A wrapping key shorter than this is refused: it must be random, not a word. */
export const MIN_KEY_CHARS = 32;

const enc = new TextEncoder();
const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A new signing secret, as the receiver configures it. */
export function newSecret(): string {
  return PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/** Why webhooks cannot work in this deployment, or null when they can. */
export function keyProblem(env: Pick<Env, "WEBHOOK_SECRETS_KEY">): string | null {
  const key = env.WEBHOOK_SECRETS_KEY;
  if (!key) return "Webhooks need the Worker secret WEBHOOK_SECRETS_KEY (see the README's deploy steps)";
  if (key.length < MIN_KEY_CHARS) return `WEBHOOK_SECRETS_KEY must be at least ${MIN_KEY_CHARS} random characters`;
  return null;
}

const wrappingKeys = new Map<string, Promise<CryptoKey>>();

function wrappingKey(secret: string): Promise<CryptoKey> {
  let key = wrappingKeys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", enc.encode(secret), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: enc.encode("switchboard webhook secrets v1") },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    wrappingKeys.set(secret, key);
  }
  return key;
}

function requireKey(env: Pick<Env, "WEBHOOK_SECRETS_KEY">): string {
  const problem = keyProblem(env);
  if (problem) throw new Error(problem);
  return env.WEBHOOK_SECRETS_KEY!;
}

/** The secret as stored: `v1.<iv>.<ciphertext>`, bound to the endpoint's id. */
export async function wrapSecret(env: Pick<Env, "WEBHOOK_SECRETS_KEY">, webhookId: string, secret: string) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await wrappingKey(requireKey(env));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(webhookId) },
    key,
    enc.encode(secret),
  );
  return `${WRAP_VERSION}.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

export async function unwrapSecret(env: Pick<Env, "WEBHOOK_SECRETS_KEY">, webhookId: string, stored: string) {
  const [version, iv, sealed] = stored.split(".");
  if (version !== WRAP_VERSION || !iv || !sealed) throw new Error("unreadable webhook secret");
  const key = await wrappingKey(requireKey(env));
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64(iv), additionalData: enc.encode(webhookId) },
    key,
    fromBase64(sealed),
  );
  return new TextDecoder().decode(plain);
}

/** The three headers of one attempt; `timestamp` is in seconds, as the specification has it. */
export async function signedHeaders(secret: string, id: string, timestamp: number, body: string) {
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(secret.slice(PREFIX.length)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`${id}.${timestamp}.${body}`));
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": `v1,${toBase64(new Uint8Array(mac))}`,
  };
}
