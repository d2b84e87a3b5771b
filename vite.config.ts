import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

/**
 * Builds the agent client from `web/` into `dist/web`, which wrangler serves as
 * static assets (SPA fallback; `/api/*` goes to the worker first).
 * In development, run `wrangler dev` and point Vite's proxy at it with
 * `SWITCHBOARD_API=http://localhost:8787 npx vite`.
 */
const api = process.env.SWITCHBOARD_API ?? "http://localhost:8787";

export default defineConfig({
  root: "web",
  publicDir: false,
  plugins: [preact({ devToolsEnabled: false })],
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: { "/api": { target: api, changeOrigin: true, ws: true } },
  },
});
