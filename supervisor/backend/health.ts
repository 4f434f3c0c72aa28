import { errorCode, errorMessage } from '../../src/errors.js';
import { BackendError } from './errors.js';

export interface BackendErrorRecord {
  operation: string;
  code: string;
  message: string;
  at: string;
}

/**
 * What /health says about the backend: reachable = the last call got an HTTP answer (any
 * status); lastError = the last failed call of any kind. Updated by the client on every call.
 */
export class BackendHealth {
  #reachable: boolean | null = null;
  #lastError: BackendErrorRecord | null = null;

  get reachable(): boolean | null {
    return this.#reachable;
  }

  get lastError(): BackendErrorRecord | null {
    return this.#lastError;
  }

  answered(): void {
    this.#reachable = true;
  }

  failed(operation: string, err: unknown): void {
    if (err instanceof BackendError && err.httpStatus === undefined && err.code !== 'BACKEND_ABORTED') this.#reachable = false;
    if (err instanceof BackendError && err.code === 'BACKEND_ABORTED') return;
    this.#lastError = { operation, code: errorCode(err), message: errorMessage(err), at: new Date().toISOString() };
  }
}
