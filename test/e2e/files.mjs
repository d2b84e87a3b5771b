// Files for the browser tests, made here: real PNGs and PDFs, no fixtures on disk.
import { encodePng } from "../../scripts/lib/png.mjs";

/** A `width`×`height` RGB PNG: a diagonal gradient, so a broken decode would show (and it is plainly a picture in screenshots). */
export function png(width, height) {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      pixels.set([Math.round((255 * x) / width), Math.round((255 * y) / height), 219], (y * width + x) * 3);
  }
  return encodePng(width, height, pixels);
}

/** A small but real PDF (one empty page), `tag` making each one's bytes unique. */
export function pdf(tag) {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n` +
      `3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%${tag}\n%%EOF\n`,
  );
}
