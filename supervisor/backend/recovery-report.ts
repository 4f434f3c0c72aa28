import pRetry from 'p-retry';
import { pRetryTiming } from '../../src/backoff.js';
import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import type { RecoveryResult } from '../../src/session-view.js';
import { isRetryable } from './errors.js';
import type { BackendHttp } from './http.js';
import type { BackendProfile } from './contract.js';
import type { Registration } from './registration.js';

export interface RecoveryReporterOptions {
  http: BackendHttp;
  profile: BackendProfile;
  workerId: string;
  registration: Registration;
  logger: Logger;
  retries: number;
  retryMinMs: number;
  retryMaxMs: number;
}

/**
 * Sends the one recovery report of this start. It waits until the worker is registered (after a
 * degraded start that may be much later), retries transport failures and 5xx, and gives up on a
 * rejection (a body the backend refuses will not become acceptable by resending it).
 */
export class RecoveryReporter {
  private sending: Promise<boolean> | null = null;

  constructor(private readonly o: RecoveryReporterOptions) {}

  get reported(): boolean {
    return this.sending !== null;
  }

  /** Resolves true once the backend accepted the report, false if it was given up or aborted. */
  report(results: readonly RecoveryResult[], signal: AbortSignal): Promise<boolean> {
    if (this.sending) {
      this.o.logger.warn('recovery report already sent for this start; ignored');
      return this.sending;
    }
    this.sending = this.send(results, signal);
    return this.sending;
  }

  private async send(results: readonly RecoveryResult[], signal: AbortSignal): Promise<boolean> {
    if (!(await this.o.registration.whenRegistered(signal))) return false;
    const req = this.o.profile.recoveryReport(this.o.workerId, { results });
    try {
      await pRetry(() => this.o.http.call(req, { operation: 'recovery-report', signal }), {
        retries: this.o.retries,
        ...pRetryTiming({ initialMs: this.o.retryMinMs, maxMs: this.o.retryMaxMs }),
        signal,
        shouldRetry: ({ error }) => isRetryable(error),
      });
      this.o.logger.info({ total: results.length, recovered: results.filter((r) => r.outcome === 'recovered').length }, 'recovery report sent');
      return true;
    } catch (err) {
      if (!signal.aborted) this.o.logger.error({ code: errorCode(err), message: errorMessage(err) }, 'recovery report not delivered');
      return false;
    }
  }
}
