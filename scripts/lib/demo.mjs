// The demo "customer website": a plain page on its own origin that embeds the
// chat widget with the one script tag a Switchboard customer pastes into their
// site. `npm run dev` serves it on DEMO_PORT; the browser tests and the widget
// bench serve it on a free port.
//
//   GET /                      the page, with the widget of `widgetKey()` (or ?inbox=KEY)
//   ?userId=…&hash=…           also calls Switchboard('identify', …) before the loader runs
//   &name=…&email=…            (the queue: calls made before widget.js loaded still count)
//   ?widget=0                  the same page without the widget (the bench's baseline)

import http from "node:http";

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** The page's HTML. `key` null: the page says how to get one. */
export function demoPage({ appUrl, key, query = new URLSearchParams() }) {
  const withWidget = key && query.get("widget") !== "0";
  const identity = query.get("userId")
    ? {
        userId: query.get("userId"),
        hash: query.get("hash") ?? "",
        ...(query.get("name") ? { name: query.get("name") } : {}),
        ...(query.get("email") ? { email: query.get("email") } : {}),
      }
    : null;
  const embed = withWidget
    ? [
        "<script>",
        "  window.Switchboard = window.Switchboard || function () { (Switchboard.q = Switchboard.q || []).push(arguments); };",
        identity ? `  Switchboard("identify", ${JSON.stringify(identity).replace(/</g, "\\u003c")});` : "",
        "</script>",
        `<script src="${escapeHtml(appUrl)}/widget.js" data-inbox="${escapeHtml(key)}" async></script>`,
      ]
        .filter(Boolean)
        .join("\n")
    : "";
  const notice = key
    ? ""
    : `<p class="notice">No chat inbox yet: open <a href="${escapeHtml(appUrl)}">Switchboard</a>, finish the setup
       (or run <code>npm run seed</code>), then reload this page. A chat inbox's widget appears here.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Northwind Outfitters</title>
<style>
  body { margin: 0; font: 16px/1.5 Georgia, serif; color: #2b2118; background: #fbf7f0; }
  header { padding: 18px 32px; background: #2b2118; color: #fbf7f0; display: flex; gap: 24px; align-items: baseline; }
  header strong { font-size: 20px; } header a { color: #e9d8b8; }
  main { max-width: 760px; margin: 0 auto; padding: 32px; }
  .notice { padding: 12px 16px; background: #fff3cd; border: 1px solid #e6c766; border-radius: 6px; }
  .products { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 16px; }
  .product { background: white; border: 1px solid #e8dcc8; border-radius: 8px; padding: 16px; }
  button.buy { font: inherit; padding: 6px 14px; }
</style>
</head>
<body>
<header><strong>Northwind Outfitters</strong><a href="/">Shop</a><a href="/?page=orders">Orders</a><a href="/?page=help">Help</a></header>
<main>
${notice}
<h1>Gear for the long way round</h1>
<p>This is a demo shop on its own origin. The chat button in the corner is Switchboard's widget:
ask something, and answer it from the agent app.</p>
<div class="products">
  <div class="product"><h2>Trail jacket</h2><p>Waterproof, 640 g.</p><button class="buy" type="button">Add to cart</button></div>
  <div class="product"><h2>Wool socks</h2><p>Three pairs.</p><button class="buy" type="button">Add to cart</button></div>
  <div class="product"><h2>Day pack</h2><p>22 litres.</p><button class="buy" type="button">Add to cart</button></div>
</div>
</main>
${embed}
</body>
</html>
`;
}

/**
 * Serves the demo page on 127.0.0.1:`port` (0: a free one).
 * `widgetKey`: a key, or an async function finding one (null when there is none yet).
 * Resolves with `{ url, port, stop() }`.
 */
export function startDemo({ port = 0, appUrl, widgetKey }) {
  const find = typeof widgetKey === "function" ? widgetKey : async () => widgetKey ?? null;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://demo.invalid");
    if (url.pathname === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (req.method !== "GET" || url.pathname !== "/") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return;
    }
    const key = url.searchParams.get("inbox") || (await find().catch(() => null));
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" })
      .end(demoPage({ appUrl, key, query: url.searchParams }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const actual = server.address().port;
      resolve({
        port: actual,
        url: `http://localhost:${actual}`,
        stop: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
