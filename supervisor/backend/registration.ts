import pRetry from 'p-retry';
import { pRetryTiming } from '../../src/backoff.js';
import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import type { BackendProfile, RegisterOutcome, WorkerIdentity } from './contract.js';
import { REGISTRATION_PROBLEMS } from './errors.js';
import type { BackendHttp } from './http.js';

export interface RegistrationOptions {
  http: BackendHttp;
  profile: BackendProfile;
  identity: WorkerIdentity;
  logger: Logger;
  retryMinMs: number;
  retryMaxMs: number;
}

/** A refusal only an operator can resolve, as /health shows it until a registration succeeds. */
export interface RegistrationProblem {
  /** Stable: BACKEND_HEALTH_PROBE_FAILED, BACKEND_ENDPOINT_CONFLICT or BACKEND_WORKER_ID_CONFLICT. */
  code: string;
  message: string;
  /** When this refusal was first answered. */
  since: string;
  /** Refused attempts since then. */
  attempts: number;
}

/**
 * Registers this worker. `attempt()` is one try (used at start, bounded by the request timeout);
 * `untilRegistered()` keeps trying with backoff in the background until it succeeds or the
 * worker stops, without ever holding up the worker's own start.
 */
export class Registration {
  #registered = false;
  #problem: RegistrationProblem | null = null;
  private loop: Promise<boolean> | null = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly o: RegistrationOptions) {}

  get registered(): boolean {
    return this.#registered;
  }

  /** The refusal /health shows until a registration succeeds (a new object on every change). */
  get problem(): Readonly<RegistrationProblem> | null {
    return this.#problem;
  }

  async attempt(signal: AbortSignal): Promise<RegisterOutcome> {
    const res = await this.o.http.send(this.o.profile.register(this.o.identity), { operation: 'register', signal });
    if (res.status < 200 || res.status >= 300) {
      const error = this.o.http.refused(res, 'register', this.o.profile.registrationRefusal(res, this.o.identity));
      this.noteProblem(error.code, error.message);
      throw error;
    }
    const outcome = this.o.profile.parseRegister(res);
    this.markRegistered();
    if (this.#problem) this.o.logger.info({ workerId: this.o.identity.workerId, resolved: this.#problem.code, ...outcome }, 'registered with backend: its earlier refusal is resolved');
    else this.o.logger.info({ workerId: this.o.identity.workerId, ...outcome }, 'registered with backend');
    this.#problem = null;
    return outcome;
  }

  /**
   * A refusal an operator must resolve: one error line when it first appears (or changes), then
   * quiet retries counted in /health — a log line per retry would only bury it.
   */
  private noteProblem(code: string, message: string): void {
    if (!REGISTRATION_PROBLEMS.has(code)) return;
    if (this.#problem?.code === code) {
      this.#problem = { ...this.#problem, message, attempts: this.#problem.attempts + 1 };
      return;
    }
    this.#problem = { code, message, since: new Date().toISOString(), attempts: 1 };
    this.o.logger.error({ code, workerId: this.o.identity.workerId, endpoint: this.o.identity.endpoint }, message);
  }

  /** Retries until registered; resolves true when registered, false when `signal` aborted first. */
  untilRegistered(signal: AbortSignal): Promise<boolean> {
    this.loop ??= pRetry(() => this.attempt(signal), {
      retries: Number.POSITIVE_INFINITY,
      ...pRetryTiming({ initialMs: this.o.retryMinMs, maxMs: this.o.retryMaxMs }),
      signal,
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (REGISTRATION_PROBLEMS.has(errorCode(error))) return; // logged once by noteProblem
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
    this.#registered = false;
  }

  /** Resolves when registered (at once if already), or never; callers race it with their abort. */
  whenRegistered(signal: AbortSignal): Promise<boolean> {
    if (this.#registered) return Promise.resolve(true);
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
    this.#registered = true;
    for (const w of this.waiters.splice(0)) w();
  }
}
