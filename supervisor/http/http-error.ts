import { WorkerError } from '../../src/errors.js';

/** A WorkerError that knows its HTTP status; routes throw it, the error handler renders it. */
export class HttpError extends WorkerError {
  readonly statusCode: number;
  constructor(statusCode: number, code: string, message: string, details?: Record<string, unknown>) {
    super(code, message, details === undefined ? {} : { details });
    this.name = 'HttpError';
    this.statusCode = statusCode;
  }
}
