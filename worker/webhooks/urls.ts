/**
 * Where a webhook may point. In production: https only, and never a name or
 * address that stays inside a network (loopback, private, link-local, unique
 * local, carrier-grade NAT). Locally (ALLOW_LOCAL_WEBHOOKS, set by
 * `npm run dev` and the tests) plain http and local receivers are fine.
 *
 * Only literal addresses and local names can be judged here; a public name
 * that resolves to a private address is not reachable either, because a
 * Worker's subrequests leave through Cloudflare's network to the internet.
 */

declare global {
  interface Env {
    /** "1" lets webhooks point at http:// and local addresses: development and tests only. */
    ALLOW_LOCAL_WEBHOOKS?: string;
  }
}

const LOCAL_NAMES = /(^|\.)(localhost|local|internal|lan|home\.arpa|localdomain)$/i;

function ipv4Private(host: string): boolean {
  const m = host.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function ipv6Private(host: string): boolean {
  if (!host.startsWith("[")) return false;
  const ip = host.slice(1, -1).toLowerCase();
  if (ip === "::" || ip === "::1") return true;
  // IPv4-mapped (::ffff:a.b.c.d, which the URL parser writes as ::ffff:xxxx:xxxx).
  const mapped = ip.match(/^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/);
  if (mapped) {
    const n = (Number.parseInt(mapped[1]!, 16) << 16) | Number.parseInt(mapped[2]!, 16);
    return ipv4Private([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."));
  }
  return /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip) || ip.startsWith("ff") || ip.startsWith("64:ff9b:");
}

/** Why `raw` is no place to send deliveries, or null when it is. */
export function urlRefusal(raw: string, env: Pick<Env, "ALLOW_LOCAL_WEBHOOKS">): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be a URL";
  }
  if (env.ALLOW_LOCAL_WEBHOOKS === "1") {
    return url.protocol === "https:" || url.protocol === "http:" ? null : "must be an http(s) URL";
  }
  if (url.protocol !== "https:") return "must start with https://";
  // The URL parser has already turned 2130706433, 0x7f.1 and friends into dotted quads.
  const host = url.hostname;
  if (LOCAL_NAMES.test(host) || (!host.includes(".") && !host.startsWith("["))) return "must be a public address";
  if (ipv4Private(host) || ipv6Private(host)) return "must be a public address, not a private or loopback one";
  return null;
}
