import { WorkerError } from '../../src/errors.js';

/**
 * A WorkerError that knows its HTTP status (and any headers it needs, such as `Retry-After`);
 * routes throw it, the error handler renders it.
 */
export class HttpError extends WorkerError {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(statusCode: number, code: string, message: string, details?: Record<string, unknown>, headers: Record<string, string> = {}) {
    super(code, message, details === undefined ? {} : { details });
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.headers = headers;
  }
}
