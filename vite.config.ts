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
 * Builds the agent client from `web/` into `dist/web`, which wrangler serves as
 * static assets (SPA fallback; `/api/*` goes to the worker first), and the chat
 * widget's panel (`web/widget/index.html` → `/widget/`). The widget's loader
 * (`/widget.js`) is built by vite.loader.config.ts. `web/public/_headers` sets
 * the caching of both.
 * In development, run `wrangler dev` and point Vite's proxy at it with
 * `SWITCHBOARD_API=http://localhost:8787 npx vite`.
 */
const api = process.env.SWITCHBOARD_API ?? "http://localhost:8787";

export default defineConfig({
  root: "web",
  publicDir: "public",
  plugins: [preact({ devToolsEnabled: false }), apiReference()],
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
      },
    },
  },
  server: {
    proxy: { "/api": { target: api, changeOrigin: true, ws: true } },
  },
});
