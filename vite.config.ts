import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

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
  plugins: [preact({ devToolsEnabled: false })],
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
