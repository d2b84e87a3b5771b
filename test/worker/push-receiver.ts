/**
 * A push service for the worker tests: a real HTTP server in the test
 * runner's Node process (vitest's globalSetup), like the webhook receiver.
 * The test registers the "browser" keys it subscribed with (POST /keys/<path>
 * `{privateKey, auth}`, base64url), and every push to <path> is decrypted
 * here with `http_ece`, an implementation independent of the worker's. It
 * answers by the first word of its path:
 *
 *   /ok/…     201
 *   /gone/…   410 (the browser unsubscribed)
 *   /flaky/…  500 the first time, then 201
 *   /fail/…   400
 *
 * GET /log/<path> answers `[{ headers, bytes, payload, error, answered }]`:
 * `payload` the decrypted text (null when it did not decrypt, `error` says why).
 */
import crypto from "node:crypto";
import http from "node:http";
import { decrypt } from "http_ece";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    pushReceiver: string;
  }
}

interface Received {
  headers: Record<string, string>;
  bytes: number;
  payload: string | null;
  error: string | null;
  answered: number;
}

function open(body: Buffer, keys: { privateKey: string; auth: string } | undefined) {
  if (!keys) return { payload: null, error: "no keys registered for this path" };
  try {
    const ecdh = crypto.createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.from(keys.privateKey, "base64url"));
    const plain = decrypt(body, { version: "aes128gcm", privateKey: ecdh, authSecret: keys.auth });
    return { payload: plain.toString("utf8"), error: null };
  } catch (e) {
    return { payload: null, error: e instanceof Error ? e.message : String(e) };
  }
}

export default async function setup(project: TestProject) {
  const log = new Map<string, Received[]>();
  const keys = new Map<string, { privateKey: string; auth: string }>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://receiver");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.method === "GET" && url.pathname.startsWith("/log/")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(log.get(url.pathname.slice("/log".length)) ?? []));
        return;
      }
      if (req.method === "POST" && url.pathname.startsWith("/keys/")) {
        keys.set(url.pathname.slice("/keys".length), JSON.parse(body.toString("utf8")));
        res.writeHead(204).end();
        return;
      }
      const seen = log.get(url.pathname) ?? [];
      const kind = url.pathname.split("/")[1];
      const answered =
        kind === "ok"
          ? 201
          : kind === "gone"
            ? 410
            : kind === "flaky"
              ? seen.length
                ? 201
                : 500
              : kind === "fail"
                ? 400
                : 404;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      seen.push({ headers, bytes: body.length, ...open(body, keys.get(url.pathname)), answered });
      log.set(url.pathname, seen);
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  project.provide("pushReceiver", `http://127.0.0.1:${port}`);
  return async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}
