import { ErrorCodes, type ErrorBody, type ErrorCode } from "./contract";

/** The one error type of the API; `onError` turns it into the contract's error body. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ErrorCodes[this.code];
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

/** A failure that crosses the Durable Object RPC boundary as plain data. */
export type Failure = { code: ErrorCode; message: string; details?: unknown };
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, message: string, details?: unknown): Result<never> => ({
  ok: false,
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Unwraps a room's answer, rethrowing its failure as an AppError. */
export function unwrap<R extends Result<unknown>>(result: R): Extract<R, { ok: true }>["value"] {
  if (result.ok) return result.value as Extract<R, { ok: true }>["value"];
  throw new AppError(result.error.code, result.error.message, result.error.details);
}

export const notFound = (what = "Not found") => new AppError("not_found", what);
export const forbidden = (message = "You do not have permission to do that") => new AppError("forbidden", message);
