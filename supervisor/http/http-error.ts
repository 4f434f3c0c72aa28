import type { WorkerErrorCode } from '../../src/error-codes.js';
import { WorkerError } from '../../src/errors.js';

/** What the API answers in `error.code`: a worker code, or one only the HTTP layer has. */
export type ApiErrorCode = WorkerErrorCode | 'INVALID_IDEMPOTENCY_KEY' | 'DEAD_LETTER_NOT_FOUND' | 'NO_QR' | 'RATE_LIMITED';

/**
 * A WorkerError that knows its HTTP status (and any headers it needs, such as `Retry-After`);
 * routes throw it, the error handler renders it.
 */
export class HttpError extends WorkerError<ApiErrorCode> {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(statusCode: number, code: ApiErrorCode, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(code, message, details === undefined ? {} : { details });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.headers = headers;
  }
}
