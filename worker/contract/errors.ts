import { z } from "zod";

/** Error codes of the HTTP API and the sockets: one list, shared by worker and clients. */
export const ErrorCodes = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  collision: 409,
  already_set_up: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  /** The deployment lacks something an operator must set (a Worker secret). */
  not_configured: 503,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export const ErrorCode = z.enum(Object.keys(ErrorCodes) as [ErrorCode, ...ErrorCode[]]);

/** Every error body: `{"error":{"code","message","details"?}}`. */
export const ErrorBody = z.strictObject({
  error: z.strictObject({ code: ErrorCode, message: z.string().min(1), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The `details` of `validation_failed`: one entry per offending field. */
export const ValidationIssues = z.array(
  z.object({ path: z.array(z.string()), message: z.string(), code: z.string().optional() }),
);

/** WebSocket close codes, mirroring the HTTP statuses. */
export const CloseCodes = {
  unauthenticated: 4401,
  forbidden: 4403,
  not_found: 4404,
  /** Silent past the heartbeat timeout: the client reconnects. */
  heartbeat_timeout: 4408,
  /** Kept sending frames far past its budget (see the rooms' frame budget). */
  rate_limited: 4429,
  /** The conversation was merged into another (its `merged` frame named it): open that one. */
  merged: 4410,
} as const;
