/**
 * `/api/docs`: the API reference, Scalar's renderer served from this origin's
 * assets (`/api-docs/`, see vite.config.ts) reading `/api/openapi.json`. The
 * CSP lets the page load nothing from elsewhere, so it works offline.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Switchboard API reference</title>
  </head>
  <body>
    <div id="reference"></div>
    <script src="/api-docs/scalar.js"></script>
    <script src="/api-docs/init.js"></script>
  </body>
</html>
`;

/** Scripts from this origin only; Scalar sets inline styles; requests only to this origin. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
