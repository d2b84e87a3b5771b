/**
 * VAPID (RFC 8292): the server's identity towards push services. The key
 * pair comes from the Worker's environment: `VAPID_PUBLIC_KEY` (the
 * uncompressed P-256 point browsers take as `applicationServerKey`, base64url)
 * and the secret `VAPID_PRIVATE_KEY` (the 32-byte private scalar, base64url),
 * as `npm run vapid` prints them. Without both, push is off.
 *
 * The JWT is signed here with WebCrypto rather than by the library's
 * `vapidHeaders`, which refuses any endpoint that is not https: development
 * and the tests deliver to a plain-http receiver on 127.0.0.1.
 */
import { base64url, fromBase64url } from "../lib/ids";

declare global {
  interface Env {
    /** The VAPID public key (base64url, 65 bytes); `npm run vapid` makes a pair. */
    VAPID_PUBLIC_KEY?: string;
    /** The VAPID private key (base64url, 32 bytes): `wrangler secret put VAPID_PRIVATE_KEY`. */
    VAPID_PRIVATE_KEY?: string;
    /** Who push services may contact about this server: `mailto:` or `https:` (default: mailto: EMAIL_FROM). */
    VAPID_SUBJECT?: string;
  }
}

type VapidEnv = Pick<Env, "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY" | "VAPID_SUBJECT" | "EMAIL_FROM" | "APP_URL">;

/** How long a signed JWT is good for (RFC 8292 allows at most 24 h). */
const JWT_TTL_S = 12 * 60 * 60;

/** Why push cannot work in this deployment, or null when it can. */
export function pushProblem(env: VapidEnv): string | null {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY)
    return "Push isn't set up on this server: it needs the VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY secrets (see the README)";
  try {
    if (fromBase64url(env.VAPID_PUBLIC_KEY).length !== 65 || fromBase64url(env.VAPID_PRIVATE_KEY).length !== 32)
      return "Push isn't set up on this server: the VAPID keys have the wrong length (run `npm run vapid` for a pair)";
  } catch {
    return "Push isn't set up on this server: the VAPID keys are not base64url";
  }
  return null;
}

/** The `sub` claim: the configured contact, else the sender address, else the app's URL. */
export function vapidSubject(env: VapidEnv): string {
  if (env.VAPID_SUBJECT) return env.VAPID_SUBJECT;
  if (env.EMAIL_FROM) return `mailto:${env.EMAIL_FROM}`;
  return env.APP_URL;
}

const cachedKeys = new Map<string, Promise<CryptoKey>>();

function signingKey(publicKey: string, privateKey: string): Promise<CryptoKey> {
  const id = `${publicKey}.${privateKey}`;
  let key = cachedKeys.get(id);
  if (!key) {
    const point = fromBase64url(publicKey);
    const jwk = {
      kty: "EC",
      crv: "P-256",
      x: base64url(point.slice(1, 33)),
      y: base64url(point.slice(33, 65)),
      d: privateKey,
    };
    key = crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    cachedKeys.set(id, key);
  }
  return key;
}

/** The `Authorization` header for one push to `endpoint`: `vapid t=<ES256 JWT>, k=<public key>`. */
export async function vapidAuthorization(env: VapidEnv, endpoint: string, nowMs: number): Promise<string> {
  const enc = new TextEncoder();
  const part = (value: object) => base64url(enc.encode(JSON.stringify(value)));
  const claims = { aud: new URL(endpoint).origin, exp: Math.floor(nowMs / 1000) + JWT_TTL_S, sub: vapidSubject(env) };
  const unsigned = `${part({ typ: "JWT", alg: "ES256" })}.${part(claims)}`;
  const key = await signingKey(env.VAPID_PUBLIC_KEY!, env.VAPID_PRIVATE_KEY!);
  // WebCrypto's ECDSA signature is r || s, exactly the JWS ES256 form.
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, enc.encode(unsigned));
  return `vapid t=${unsigned}.${base64url(new Uint8Array(signature))}, k=${env.VAPID_PUBLIC_KEY}`;
}
