// The API reference at /api/docs: Scalar's standalone bundle (copied next to
// this file at build time, see vite.config.ts) rendering /api/openapi.json.
// Everything it needs comes from this origin; the page's CSP refuses the rest.
Scalar.createApiReference("#reference", {
  url: "/api/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  // No hosted extras: the AI agent and the developer toolbar call Scalar's servers.
  agent: { disabled: true },
  showDeveloperTools: "never",
});
