/**
 * A webhook receiver for the worker tests: a real HTTP server in the test
 * runner's Node process (vitest's globalSetup), reached by the worker's
 * `fetch` like any endpoint on the internet. It records every request and
 * answers by the first word of its path:
 *
 *   /ok/…        204
 *   /flaky/…     500 twice, then 200
 *   /fail/…      500 with a long body (the log keeps 4 KiB)
 *   /hang/…      holds the request 15 s (longer than the 10 s limit), then 200
 *   /redirect/…  302 to /ok/… (never followed)
 *
 * GET /log/<path> answers the requests recorded for that path:
 * `[{ headers, body, answered }]`, `answered` being the status sent (null while held).
 */
import http from "node:http";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    webhookReceiver: string;
  }
}

interface Received {
  headers: Record<string, string>;
  body: string;
  answered: number | null;
}

export default async function setup(project: TestProject) {
  const log = new Map<string, Received[]>();
  const held = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://receiver");
    if (req.method === "GET" && url.pathname.startsWith("/log/")) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(log.get(url.pathname.slice("/log".length)) ?? []));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const entry: Received = { headers, body: Buffer.concat(chunks).toString("utf8"), answered: null };
      const seen = log.get(url.pathname) ?? [];
      seen.push(entry);
      log.set(url.pathname, seen);
      const answer = (status: number, body = "", extra: Record<string, string> = {}) => {
        entry.answered = status;
        res.writeHead(status, extra);
        res.end(body);
      };
      const kind = url.pathname.split("/")[1];
      if (kind === "ok") answer(204);
      else if (kind === "flaky") answer(seen.length <= 2 ? 500 : 200, seen.length <= 2 ? "not yet" : "thanks");
      else if (kind === "fail") answer(500, "x".repeat(10_000));
      else if (kind === "redirect") answer(302, "", { location: url.pathname.replace("/redirect/", "/ok/") });
      else if (kind === "hang") {
        const timer = setTimeout(() => {
          held.delete(timer);
          answer(200, "too late");
        }, 15_000);
        held.add(timer);
      } else answer(404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  project.provide("webhookReceiver", `http://127.0.0.1:${port}`);
  return async () => {
    for (const timer of held) clearTimeout(timer);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}
