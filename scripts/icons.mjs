// Draws the app's icons (the favicon's blue tile with its white check-mark
// "V") as PNG files for the web manifest and iOS, with no image library:
// each pixel's coverage comes from signed distances, which also anti-aliases
// the edges (scripts/lib/png.mjs writes the file).
//
//   node scripts/icons.mjs   → web/public/icons/*.png (committed; rerun after changing the design)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodePng } from "./lib/png.mjs";

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../web/public/icons");
const BLUE = [0x3b, 0x5b, 0xdb];

/** Distance from (x, y) to the segment a–b. */
function segment(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** Signed distance to a rounded square of side `side` centred in a unit of `size` (negative inside). */
function roundedSquare(x, y, size, side, radius) {
  const half = side / 2 - radius;
  const qx = Math.abs(x - size / 2) - half;
  const qy = Math.abs(y - size / 2) - half;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

/**
 * One icon: `maskable` fills the whole square with blue (the platform cuts its
 * own shape) and keeps the mark inside the 80 % safe zone; otherwise a rounded
 * tile on transparency, like the favicon (20-unit grid, radius 5, mark 5,6 → 10,14 → 15,6).
 */
function draw(size, { maskable = false, badge = false } = {}) {
  const unit = (maskable ? size * 0.7 : size) / 20;
  const offset = maskable ? size * 0.15 : 0;
  const p = (x, y) => [offset + x * unit, offset + y * unit];
  const mark = [p(5, 6.5), p(10, 14), p(15, 6.5)];
  const stroke = unit; // half of the favicon's stroke width of 2 units
  const rgba = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = i + 0.5;
      const y = j + 0.5;
      const tile = maskable ? 1 : Math.max(0, Math.min(1, 0.5 - roundedSquare(x, y, size, size, size / 4)));
      const d = Math.min(segment(x, y, mark[0], mark[1]), segment(x, y, mark[1], mark[2]));
      const white = Math.max(0, Math.min(1, stroke - d + 0.5));
      const k = (j * size + i) * 4;
      if (badge) {
        rgba.fill(255, k, k + 3);
        rgba[k + 3] = Math.round(255 * white);
        continue;
      }
      for (let c = 0; c < 3; c++) rgba[k + c] = Math.round(BLUE[c] * (1 - white) + 255 * white);
      rgba[k + 3] = Math.round(255 * tile);
    }
  }
  return encodePng(size, size, rgba, { alpha: true });
}

fs.mkdirSync(OUT, { recursive: true });
const icons = {
  "icon-192.png": draw(192),
  "icon-512.png": draw(512),
  "maskable-512.png": draw(512, { maskable: true }),
  // iOS puts its own rounded corners on a full square.
  "apple-touch-icon.png": draw(180, { maskable: true }),
  // The notification's small monochrome badge (Android shows its alpha only): the mark alone.
  "badge-96.png": draw(96, { badge: true }),
};
for (const [name, data] of Object.entries(icons)) fs.writeFileSync(path.join(OUT, name), data);
console.log(`icons written to ${path.relative(process.cwd(), OUT)}: ${Object.keys(icons).join(", ")}`);
