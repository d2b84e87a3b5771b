/** One-time links (invitations, password resets): the secret travels in the URL, only its hash is stored. */
import type { Context } from "hono";
import { randomToken, sha256Hex } from "../lib/ids";

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

/** A fresh link secret and the hash to store for it. */
export async function newLinkSecret(prefix: "sbi" | "sbr"): Promise<{ token: string; hash: string }> {
  const token = randomToken(prefix);
  return { token, hash: await sha256Hex(token) };
}

/** The web client's page for a link, on the origin the admin is using. */
export function linkUrl(c: Context, page: "invite" | "reset", token: string): string {
  return `${new URL(c.req.url).origin}/${page}/${encodeURIComponent(token)}`;
}

export const hashLinkToken = sha256Hex;
