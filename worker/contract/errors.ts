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
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** Every error body: `{"error":{"code","message","details"?}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** WebSocket close codes, mirroring the HTTP statuses. */
export const CloseCodes = {
  unauthenticated: 4401,
  forbidden: 4403,
  not_found: 4404,
} as const;
