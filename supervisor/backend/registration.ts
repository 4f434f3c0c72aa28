import pRetry from 'p-retry';
import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import type { RegisterOutcome, WorkerIdentity } from './domain.js';
import type { BackendHttp } from './http.js';
import type { BackendProfile } from './profile.js';

export interface RegistrationOptions {
  http: BackendHttp;
  profile: BackendProfile;
  identity: WorkerIdentity;
  logger: Logger;
  retryMinMs: number;
  retryMaxMs: number;
}

/**
 * Registers this worker. `attempt()` is one try (used at start, bounded by the request timeout);
 * `untilRegistered()` keeps trying with backoff in the background until it succeeds or the
 * worker stops, without ever holding up the worker's own start.
 */
export class Registration {
  registered = false;
  outcome: RegisterOutcome | null = null;
  attempts = 0;
  private loop: Promise<boolean> | null = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly o: RegistrationOptions) {}

  async attempt(signal: AbortSignal): Promise<RegisterOutcome> {
    this.attempts += 1;
    const res = await this.o.http.call(this.o.profile.register(this.o.identity), { operation: 'register', signal });
    const outcome = this.o.profile.parseRegister(res);
    this.outcome = outcome;
    this.markRegistered();
    this.o.logger.info({ workerId: this.o.identity.workerId, ...outcome }, 'registered with backend');
    return outcome;
  }

  /** Retries until registered; resolves true when registered, false when `signal` aborted first. */
  untilRegistered(signal: AbortSignal): Promise<boolean> {
    this.loop ??= pRetry(() => this.attempt(signal), {
      retries: Number.POSITIVE_INFINITY,
      factor: 2,
      minTimeout: this.o.retryMinMs,
      maxTimeout: this.o.retryMaxMs,
      randomize: true,
      signal,
      onFailedAttempt: ({ error, attemptNumber }) => {
        const level = errorCode(error) === 'BACKEND_REJECTED' || errorCode(error) === 'BACKEND_UNAUTHORIZED' ? 'error' : 'warn';
        this.o.logger[level]({ attempt: attemptNumber, code: errorCode(error), message: errorMessage(error) }, 'backend registration failed; retrying');
      },
    }).then(
      () => true,
      () => false,
    ).finally(() => {
      this.loop = null;
    });
    return this.loop;
  }

  /** Forget the registration (the backend said it does not know us); callers re-register. */
  reset(): void {
    this.registered = false;
  }

  /** Resolves when registered (at once if already), or never; callers race it with their abort. */
  whenRegistered(signal: AbortSignal): Promise<boolean> {
    if (this.registered) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      // The abort listener goes once registered: the event sender waits here once per event.
      const onAbort = (): void => resolve(false);
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.waiters.push(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private markRegistered(): void {
    this.registered = true;
    for (const w of this.waiters.splice(0)) w();
  }
}
