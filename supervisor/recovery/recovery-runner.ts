import { setTimeout as delay } from 'node:timers/promises';
import PQueue from 'p-queue';
import { DeadlineError } from '../../src/deadline.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import { isTransientBootFailure } from '../../src/exit-codes.js';
import type { Logger } from '../../src/logger.js';
import type { RecoveryResult, SessionEvent, SessionSpec } from '../../src/session-view.js';
import type { SessionActor } from '../actor/session-actor.js';
import { judge, type Verdict } from './outcome.js';
import { disabled, finished, PENDING, progressLine, slotFreed, slotTaken, started, summaryLine, tallied, type RecoveryProgress } from './progress.js';

export interface RecoveryTarget {
  spec: SessionSpec;
  /** Set when the session must not be started (disconnected on request, logged out, …). */
  skip?: string | undefined;
}

export interface RecoveryOptions {
  concurrency: number;
  /** Per attempt: time a session has to reach a final state. */
  timeoutMs: number;
  maxAttempts: number;
  /** Pause before a retry, times the attempt number (a leftover host may still hold the lock). */
  retryDelayMs?: number;
  /** How often one progress line is logged while recovery runs (default 5 s). */
  progressLogIntervalMs?: number;
  logger: Logger;
}

export interface RecoveryHooks {
  /** Gets (creating when needed) the session's actor without starting it. */
  actorFor(spec: SessionSpec): SessionActor;
  /** Starts a recovering session's host (the registry decides whether it may run). */
  start(spec: SessionSpec): void;
  /** A new attempt: an operator-style restart through the registry (refused once shutting down). */
  retry(spec: SessionSpec): void;
  publish(event: SessionEvent): void;
}

/**
 * Recovery at start (design.md §5, issue 6): runs exactly once per supervisor; a second `run()`
 * gets the first run's promise (the original worker ran it twice and raced). A p-queue bounded by
 * RECOVERY_CONCURRENCY holds a slot per session until it reaches a final state or times out, so no
 * more hosts than that are ever booting for recovery at once.
 */
export class RecoveryRunner {
  private running: Promise<RecoveryResult[]> | undefined;
  private tally: RecoveryProgress = PENDING;
  private readonly log: Logger;

  constructor(private readonly hooks: RecoveryHooks, private readonly options: RecoveryOptions) {
    this.log = options.logger;
  }

  progress(): RecoveryProgress {
    return this.tally;
  }

  /** ENABLE_SESSION_RECOVERY=false: reported as such by /health. */
  disable(): void {
    this.tally = disabled(this.tally);
  }

  run(targets: readonly RecoveryTarget[]): Promise<RecoveryResult[]> {
    if (!this.running) this.running = this.runOnce(targets);
    return this.running;
  }

  private async runOnce(targets: readonly RecoveryTarget[]): Promise<RecoveryResult[]> {
    this.tally = started(this.tally, targets.length, new Date().toISOString());
    this.log.info({ total: targets.length, concurrency: this.options.concurrency }, `recovery started: ${targets.length} sessions`);
    const queue = new PQueue({ concurrency: this.options.concurrency });
    // One line every few seconds instead of one per session: readable with hundreds of sessions.
    const ticker = setInterval(() => this.logProgress(), this.options.progressLogIntervalMs ?? 5000);
    ticker.unref();
    let results: RecoveryResult[];
    try {
      results = await Promise.all(targets.map((t) => queue.add(async () => this.recoverOne(t))));
    } finally {
      clearInterval(ticker);
    }
    this.tally = finished(this.tally, new Date().toISOString());
    const p = this.tally;
    this.log.info({ total: p.total, recovered: p.recovered, failed: p.failed, skipped: p.skipped }, summaryLine(p));
    return results;
  }

  private async recoverOne(target: RecoveryTarget): Promise<RecoveryResult> {
    const t0 = Date.now();
    if (target.skip !== undefined) {
      const actor = this.hooks.actorFor(target.spec);
      return this.finish({ sessionId: target.spec.sessionId, outcome: 'skipped', status: actor.status, phoneNumber: actor.view().phoneNumber, error: target.skip, attempts: 0, durationMs: 0, at: new Date().toISOString() });
    }
    this.tally = slotTaken(this.tally);
    let attempts = 0;
    try {
      let verdict: Verdict | 'timeout';
      let actor: SessionActor;
      for (;;) {
        attempts++;
        actor = this.hooks.actorFor(target.spec);
        if (attempts === 1) this.hooks.start(target.spec);
        else this.hooks.retry(target.spec);
        verdict = await this.verdictWithin(actor);
        if (verdict === 'timeout' || verdict.outcome === 'recovered' || !verdict.retryable || attempts >= this.options.maxAttempts) break;
        this.log.warn({ sessionId: target.spec.sessionId, reason: verdict.reason, attempt: attempts }, 'recovery attempt failed; retrying');
        await delay((this.options.retryDelayMs ?? 1000) * attempts);
      }
      const view = actor.view();
      const base = { sessionId: target.spec.sessionId, status: view.status, phoneNumber: view.phoneNumber, attempts, durationMs: Date.now() - t0, at: new Date().toISOString() };
      if (verdict === 'timeout') {
        // The host keeps trying; only the report says it was not in time. A session still retrying a
        // transient boot failure says why (storage_unavailable, lock_held) and keeps its status.
        if (isTransientBootFailure(view.reason)) {
          return this.finish({ ...base, outcome: 'failed', reason: view.reason, error: `${view.reason}: still retrying with backoff after ${this.options.timeoutMs} ms` });
        }
        return this.finish({ ...base, outcome: 'failed', reason: 'timeout', error: `no final state within ${this.options.timeoutMs} ms (status ${view.status})` });
      }
      if (verdict.outcome === 'recovered') return this.finish({ ...base, outcome: 'recovered' });
      return this.finish({ ...base, outcome: 'failed', reason: verdict.reason, error: verdict.reason });
    } catch (err) {
      // Not a verdict: the registry refused (SHUTTING_DOWN, MAX_SESSIONS_REACHED, …). Reported as what it is.
      const error = `${errorCode(err)}: ${errorMessage(err)}`;
      return this.finish({ sessionId: target.spec.sessionId, outcome: 'failed', status: 'failed', reason: 'unknown', phoneNumber: null, error, attempts: Math.max(1, attempts), durationMs: Date.now() - t0, at: new Date().toISOString() });
    } finally {
      this.tally = slotFreed(this.tally);
    }
  }

  /**
   * Waits for this attempt's verdict; 'timeout' when RECOVERY_TIMEOUT passes first (the host keeps
   * trying). Only the deadline becomes 'timeout'; any other error is the caller's to report.
   */
  private async verdictWithin(actor: SessionActor): Promise<Verdict | 'timeout'> {
    // A fresh incarnation must be judged, not the previous attempt's end state.
    const from = actor.incarnation;
    try {
      const s = await actor.until((x) => x.state.incarnation >= from && judge(x) !== null, { timeoutMs: this.options.timeoutMs, what: `${actor.sessionId} recovery` });
      return judge(s)!;
    } catch (err) {
      if (err instanceof DeadlineError) return 'timeout';
      throw err;
    }
  }

  private logProgress(): void {
    const p = this.tally;
    this.log.info({ done: p.done, total: p.total, recovered: p.recovered, failed: p.failed, inFlight: p.inFlight }, progressLine(p));
  }

  private finish(result: RecoveryResult): RecoveryResult {
    this.tally = tallied(this.tally, result.outcome);
    // Failures stand out one by one; successes are summed up by the progress line.
    this.log[result.outcome === 'failed' ? 'warn' : 'debug'](
      { sessionId: result.sessionId, outcome: result.outcome, reason: result.reason, attempts: result.attempts, durationMs: result.durationMs },
      `recovery of ${result.sessionId}: ${result.outcome}${result.reason ? ` (${result.reason})` : ''}`,
    );
    this.hooks.publish({ kind: 'recovery', sessionId: result.sessionId, result });
    return result;
  }
}
