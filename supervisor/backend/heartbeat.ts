import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import type { BackendProfile, HeartbeatSnapshot } from './contract.js';
import { BackendError } from './errors.js';
import type { BackendHttp } from './http.js';

export interface HeartbeatRecord {
  at: string;
  ok: boolean;
  durationMs: number;
  httpStatus?: number;
  error?: { code: string; message: string };
}

export interface HeartbeatOptions {
  http: BackendHttp;
  profile: BackendProfile;
  workerId: string;
  intervalMs: number;
  timeoutMs: number;
  snapshot: () => HeartbeatSnapshot;
  logger: Logger;
  /** The backend answered 404: it no longer knows this worker (e.g. its database was reset). */
  onWorkerUnknown: () => void;
  /** Told the result of every beat that was not cut short by shutdown (metrics). */
  onResult?: ((result: HeartbeatResult) => void) | undefined;
}

export type HeartbeatResult = 'ok' | 'error' | 'timeout';

/**
 * One heartbeat at a time: the next beat is scheduled only after the previous one settled, at
 * `intervalMs` after the previous one started. A beat can never outlive its timeout, which the
 * config keeps at most the interval, so beats neither overlap nor drift apart.
 */
export class HeartbeatLoop {
  #last: HeartbeatRecord | null = null;
  #sent = 0;
  #failed = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  private current: Promise<void> | null = null;
  private started = false;

  constructor(private readonly o: HeartbeatOptions) {}

  /** The last beat's outcome (shown in /health). */
  get last(): HeartbeatRecord | null {
    return this.#last;
  }

  /** Beats the backend accepted, and beats that failed, since start. */
  get sent(): number {
    return this.#sent;
  }

  get failed(): number {
    return this.#failed;
  }

  start(): void {
    if (this.started || this.abort.signal.aborted) return;
    this.started = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  private schedule(delayMs: number): void {
    if (this.abort.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const startedAt = Date.now();
      this.current = this.beat().finally(() => {
        this.current = null;
        this.schedule(Math.max(0, this.o.intervalMs - (Date.now() - startedAt)));
      });
    }, delayMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const started = Date.now();
    const at = new Date(started).toISOString();
    try {
      const req = this.o.profile.heartbeat(this.o.workerId, this.o.snapshot());
      const res = await this.o.http.call(req, { operation: 'heartbeat', timeoutMs: this.o.timeoutMs, signal: this.abort.signal });
      this.#sent += 1;
      this.#last = { at, ok: true, durationMs: Date.now() - started, httpStatus: res.status };
      this.o.onResult?.('ok');
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.#failed += 1;
      const httpStatus = err instanceof BackendError ? err.httpStatus : undefined;
      this.#last = { at, ok: false, durationMs: Date.now() - started, ...(httpStatus !== undefined ? { httpStatus } : {}), error: { code: errorCode(err), message: errorMessage(err) } };
      this.o.logger.warn({ code: errorCode(err), httpStatus }, 'heartbeat failed');
      this.o.onResult?.(errorCode(err) === 'BACKEND_TIMEOUT' ? 'timeout' : 'error');
      if (httpStatus === 404) this.o.onWorkerUnknown();
    }
  }
}
