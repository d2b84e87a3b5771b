// Only for test/e2e/workflow-text.test.mjs, which runs this path under Node: the module is web/lib/placeholders.ts.
// Remove once that test imports web/lib/placeholders.ts.
export * from "../../../lib/placeholders.ts";
