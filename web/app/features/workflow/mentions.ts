// Only for test/e2e/workflow-text.test.mjs, which runs this path under Node: the module is web/lib/mentions.ts.
// Remove once that test imports web/lib/mentions.ts.
export * from "../../../lib/mentions.ts";
