import pRetry from 'p-retry';
import { pRetryTiming } from '../backoff.js';
import { withAbortDeadline } from '../deadline.js';
import { StorageError, StorageErrorCode } from './errors.js';

/**
 * Every backend call goes through `resilient`: a deadline per attempt, and p-retry with exponential
 * backoff for errors marked retryable (network, 5xx, timeouts). 4xx, auth and corrupt-data errors
 * fail at once: retrying them only delays the operator's fix.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, minDelayMs: 200, maxDelayMs: 3_000 };

export interface ResilienceOptions {
  timeoutMs: number;
  retry: RetryPolicy;
  onRetry?: (error: StorageError, attempt: number) => void;
}

/**
 * `fn` receives the attempt's AbortSignal and must hand it to the driver: on timeout the request
 * itself is aborted, so a late attempt can never land after the retry (or after a newer write).
 */
export async function resilient<T>(action: string, fn: (signal: AbortSignal) => Promise<T>, options: ResilienceOptions): Promise<T> {
  const timedOut = () => new StorageError(StorageErrorCode.TIMEOUT, `storage did not finish ${action} within ${options.timeoutMs} ms (STORAGE_TIMEOUT)`, { retryable: true });
  return pRetry(() => withAbortDeadline(fn, options.timeoutMs, timedOut), {
    retries: options.retry.retries,
    ...pRetryTiming({ initialMs: options.retry.minDelayMs, maxMs: options.retry.maxDelayMs }),
    shouldRetry: ({ error }) => error instanceof StorageError && error.retryable,
    onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft > 0 && error instanceof StorageError && error.retryable) options.onRetry?.(error, attemptNumber);
    },
  });
}
