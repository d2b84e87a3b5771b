import { defineConfig } from "vite";

/**
 * The widget's loader, `dist/web/widget.js`: one unhashed IIFE that sites embed
 * (`<script src=".../widget.js" data-inbox="KEY" async>`). Built after the main
 * build (vite.config.ts), into the same folder, without emptying it.
 */
export default defineConfig({
  publicDir: false,
  build: {
    outDir: "dist/web",
    emptyOutDir: false,
    target: "es2020",
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    copyPublicDir: false,
    lib: { entry: "web/widget/loader.ts", formats: ["iife"], name: "SwitchboardLoader", fileName: () => "widget.js" },
  },
});
