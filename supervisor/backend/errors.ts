import { WorkerError } from '../../src/errors.js';

/**
 * Stable codes for everything that can go wrong talking to the backend. `retryable` is decided
 * once, here, so every caller (register, events, report) retries the same failures.
 */
export type BackendErrorCode =
  | 'BACKEND_UNREACHABLE'
  | 'BACKEND_TIMEOUT'
  | 'BACKEND_SERVER_ERROR'
  | 'BACKEND_THROTTLED'
  | 'BACKEND_NOT_FOUND'
  | 'BACKEND_REJECTED'
  | 'BACKEND_UNAUTHORIZED'
  | 'BACKEND_BAD_RESPONSE'
  | 'BACKEND_ABORTED'
  | 'BACKEND_UNSUPPORTED'
  | 'BACKEND_WORKER_ID_INVALID'
  /** The backend answered that it does not know this worker (whatsam: 404 on its assignments). */
  | 'BACKEND_WORKER_UNKNOWN'
  /** Registration refused: the backend could not reach WORKER_ENDPOINT/health (whatsam: 503). */
  | 'BACKEND_HEALTH_PROBE_FAILED'
  /** Registration refused: another worker id holds WORKER_ENDPOINT at the backend (whatsam: 409). */
  | 'BACKEND_ENDPOINT_CONFLICT'
  /** Registration refused: this worker id is registered with another endpoint (whatsam: 409). */
  | 'BACKEND_WORKER_ID_CONFLICT';

/**
 * Refusals of a registration that only an operator can resolve (the worker's address, or the
 * backend's record of another worker): shown in /health and logged once, not on every retry.
 */
export const REGISTRATION_PROBLEMS: ReadonlySet<string> = new Set<BackendErrorCode>(['BACKEND_HEALTH_PROBE_FAILED', 'BACKEND_ENDPOINT_CONFLICT', 'BACKEND_WORKER_ID_CONFLICT']);

const RETRYABLE: ReadonlySet<BackendErrorCode> = new Set([
  'BACKEND_UNREACHABLE',
  'BACKEND_TIMEOUT',
  'BACKEND_SERVER_ERROR',
  'BACKEND_THROTTLED',
]);

export class BackendError extends WorkerError<BackendErrorCode> {
  readonly httpStatus: number | undefined;

  constructor(code: BackendErrorCode, message: string, options: { httpStatus?: number; cause?: unknown; operation?: string } = {}) {
    super(code, message, {
      cause: options.cause,
      details: {
        ...(options.httpStatus !== undefined ? { httpStatus: options.httpStatus } : {}),
        ...(options.operation !== undefined ? { operation: options.operation } : {}),
      },
    });
    this.name = 'BackendError';
    this.httpStatus = options.httpStatus;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** Maps an HTTP status that is not 2xx to an error code (pure). */
export function codeForStatus(status: number): BackendErrorCode {
  if (status === 404) return 'BACKEND_NOT_FOUND';
  if (status === 401 || status === 403) return 'BACKEND_UNAUTHORIZED';
  if (status === 408 || status === 429) return 'BACKEND_THROTTLED';
  if (status >= 500) return 'BACKEND_SERVER_ERROR';
  return 'BACKEND_REJECTED';
}

/** Node/axios transport error codes that mean "no answer", as opposed to "a bad answer". */
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

export function transportErrorCode(code: string | undefined): BackendErrorCode {
  if (code === 'ERR_CANCELED') return 'BACKEND_ABORTED';
  if (code !== undefined && TIMEOUT_CODES.has(code)) return 'BACKEND_TIMEOUT';
  return 'BACKEND_UNREACHABLE';
}

export function isRetryable(err: unknown): boolean {
  return err instanceof BackendError && err.retryable;
}
