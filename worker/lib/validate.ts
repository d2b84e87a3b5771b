import { zValidator } from "@hono/zod-validator";
import type { Context, ValidationTargets } from "hono";
import { resolver, uniqueSymbol } from "hono-openapi";
import type { z } from "zod";
import { IdempotencyKey } from "../contract";
import { AppError } from "../errors";

/** The field issues of a failed parse, as the contract's `details`. */
export const issuesOf = (error: { issues: z.core.$ZodIssue[] }) =>
  error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message, code: issue.code }));

const WHERE: Partial<Record<keyof ValidationTargets, string>> = {
  json: "request body",
  query: "query string",
  param: "path",
  header: "headers",
};

/**
 * zod validation whose failures are 400 `validation_failed` with the field issues.
 * The middleware carries its schema for the OpenAPI document (hono-openapi reads
 * it from `app.routes`), so what is documented is what is checked.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) =>
  Object.assign(
    zValidator(target, schema, (result) => {
      if (!result.success) {
        throw new AppError("validation_failed", `The ${WHERE[target] ?? target} is not valid`, issuesOf(result.error));
      }
    }),
    { [uniqueSymbol]: { target, ...resolver(schema) } },
  );

/** Parses a value against a schema, or throws the same 400 as `validate`. */
export function parseOr400<Schema extends z.ZodType>(schema: Schema, value: unknown, what: string): z.infer<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError("validation_failed", `The ${what} is not valid`, issuesOf(result.error));
  return result.data;
}

/** The `Idempotency-Key` header, checked; undefined when absent. */
export function idempotencyKey(c: Context): string | undefined {
  const header = c.req.header("Idempotency-Key");
  return header === undefined ? undefined : parseOr400(IdempotencyKey, header, "Idempotency-Key header");
}
