/**
 * The one response shape of the worker API (design.md §9). Every route answers through these two
 * helpers so clients can always branch on `success`.
 */
export interface OkEnvelope<T> {
  readonly success: true;
  readonly timestamp: string;
  readonly data: T;
}

export interface ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export interface ErrorEnvelope {
  readonly success: false;
  readonly timestamp: string;
  readonly error: ErrorBody;
}

export function ok<T>(data: T, now: Date = new Date()): OkEnvelope<T> {
  return { success: true, timestamp: now.toISOString(), data };
}

export function fail(error: ErrorBody, now: Date = new Date()): ErrorEnvelope {
  const body: ErrorBody = error.details === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, details: error.details };
  return { success: false, timestamp: now.toISOString(), error: body };
}
