import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig, type Plugin } from "vite";

/**
 * The API reference's renderer, Scalar's standalone bundle, copied into the
 * built assets as `/api-docs/scalar.js` so `/api/docs` works offline (no CDN).
 * Only that page loads it; it is not part of the app's or the widget's budgets.
 */
const apiReference = (): Plugin => ({
  name: "switchboard-api-reference",
  apply: "build",
  generateBundle() {
    const bundle = new URL("node_modules/@scalar/api-reference/dist/browser/standalone.js", import.meta.url);
    this.emitFile({ type: "asset", fileName: "api-docs/scalar.js", source: readFileSync(bundle) });
  },
});

/**
 * The service worker (web/sw/sw.ts) at `/sw.js`, a fixed name (its scope is
 * the whole app), with the offline shell written in: "/" and every file the
 * built index.html loads (scripts, module preloads, stylesheets). Runs after
 * Vite has written index.html, so the names are the hashed ones.
 */
const serviceWorker = (): Plugin => ({
  name: "switchboard-service-worker",
  apply: "build",
  enforce: "post",
  generateBundle(_options, bundle) {
    const html = bundle["index.html"];
    const sw = bundle["sw.js"];
    if (html?.type !== "asset" || sw?.type !== "chunk") this.error("index.html or sw.js is missing from the build");
    const refs = [
      ...String(html.source).matchAll(
        /<(?:script[^>]*\ssrc|link[^>]*\srel="(?:stylesheet|modulepreload)"[^>]*\shref)="(\/[^"]+)"/g,
      ),
    ];
    const shell = ["/", ...new Set(refs.map((m) => m[1]!))];
    // The minifier picks its own quotes.
    const placeholder = /(["'`])__SWITCHBOARD_SHELL__\1/;
    if (!placeholder.test(sw.code)) this.error("sw.js has lost its shell placeholder");
    sw.code = sw.code.replace(placeholder, JSON.stringify(shell));
  },
});

/**
 * Builds the agent client from `web/` into `dist/web`, which wrangler serves as
 * static assets (SPA fallback; `/api/*` goes to the worker first), and the chat
 * widget's panel (`web/widget/index.html` → `/widget/`). The widget's loader
 * (`/widget.js`) is built by vite.loader.config.ts. `web/public/_headers` sets
 * the caching of both. The service worker is built as `/sw.js` (see above).
 * In development, run `wrangler dev` and point Vite's proxy at it with
 * `SWITCHBOARD_API=http://localhost:8787 npx vite`.
 */
const api = process.env.SWITCHBOARD_API ?? "http://localhost:8787";

export default defineConfig({
  root: "web",
  publicDir: "public",
  plugins: [preact({ devToolsEnabled: false }), apiReference(), serviceWorker()],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL("web/index.html", import.meta.url)),
        widget: fileURLToPath(new URL("web/widget/index.html", import.meta.url)),
        sw: fileURLToPath(new URL("web/sw/sw.ts", import.meta.url)),
      },
      output: {
        entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js"),
      },
    },
  },
  server: {
    proxy: { "/api": { target: api, changeOrigin: true, ws: true } },
  },
});
