// @ts-check
// VAPID key pairs (RFC 8292) for Web Push, in the form the worker reads:
// the public key as the browser's applicationServerKey (65-byte uncompressed
// P-256 point) and the private key as its 32-byte scalar, both base64url.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/** A new pair: `{ publicKey, privateKey }`, base64url. */
export function newVapidKeys() {
  const ecdh = crypto.createECDH("prime256v1");
  ecdh.generateKeys();
  return {
    publicKey: ecdh.getPublicKey().toString("base64url"),
    privateKey: ecdh.getPrivateKey().toString("base64url"),
  };
}

/**
 * The pair of a local state folder, made on first use and kept there: a new
 * pair would leave every browser's subscription unusable.
 * @param {string} stateDir
 */
export function localVapidKeys(stateDir) {
  const file = path.join(stateDir, "vapid-keys.json");
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(newVapidKeys()), { mode: 0o600 });
  return /** @type {{publicKey: string, privateKey: string}} */ (JSON.parse(fs.readFileSync(file, "utf8")));
}
