import type { Logger } from '../../src/logger.js';
import { sleep } from '../../src/deadline.js';
import { decide, type Decision } from './delivery-policy.js';
import { pickNext } from './pick.js';
import type { RateBudget } from './rate-budget.js';
import type { EventSink } from './sink.js';
import type { OutboxRow, OutboxStore } from './store.js';

export interface LaneSettings {
  rejectRetries: number;
  backoffMs: (attempt: number) => number;
  maxRetryAfterMs: number;
  now: () => number;
}

/** What a lane reports to the outbox (stats, metrics, logs). */
export interface LaneReport {
  settled(row: OutboxRow, decision: Decision): void;
  coalesced(lane: string, count: number): void;
}

/** Pending rows a coalescing pick looks at; a status lane rarely holds more than one per session. */
const PICK_WINDOW = 5000;

/**
 * Delivers one lane's events, one at a time, from the store. The event stays in the store (and at
 * the head of its lane) until an attempt settles it, so a crash at any moment loses nothing: the
 * next start sends it again (at least once; its idempotency key lets the receiver drop a repeat).
 */
export class Lane {
  private wakeUp: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private busy = false;
  private attempt = 0;
  private attemptSeq = -1;
  private running: Promise<void> | null = null;

  constructor(
    readonly name: string,
    private readonly sink: EventSink,
    private readonly store: OutboxStore,
    private readonly budget: RateBudget,
    private readonly settings: LaneSettings,
    private readonly report: LaneReport,
    private readonly logger: Logger,
  ) {}

  start(signal: AbortSignal): void {
    this.running ??= this.run(signal);
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Resolves when the lane holds nothing pending (or at once). */
  onIdle(): Promise<void> {
    if (!this.busy && this.store.head(this.name) === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stopped(): Promise<void> {
    this.wake();
    await this.running;
  }

  private async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.wake(), { once: true });
    while (!signal.aborted) {
      const row = this.next();
      if (!row) {
        this.busy = false;
        for (const w of this.idleWaiters.splice(0)) w();
        await new Promise<void>((resolve) => (this.wakeUp = resolve));
        this.wakeUp = null;
        continue;
      }
      this.busy = true;
      if (this.sink.whenReady && !(await this.sink.whenReady(signal))) break;
      const wait = this.budget.waitMs(this.sink.priority(row.event), this.settings.now());
      if (wait > 0) {
        if (!(await sleep(wait, signal))) break;
        continue; // a newer status may have superseded this one meanwhile
      }
      this.budget.take(this.settings.now());
      await this.deliver(row, signal);
    }
    this.busy = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private next(): OutboxRow | undefined {
    if (!this.sink.coalesceStatus || !this.name.endsWith(':session-status')) return this.store.head(this.name);
    const pick = pickNext(this.store.pendingRefs(this.name, PICK_WINDOW), true);
    if (pick.superseded.length > 0) {
      this.store.removeMany(pick.superseded);
      this.report.coalesced(this.name, pick.superseded.length);
    }
    return pick.next === null ? undefined : this.store.get(pick.next);
  }

  private async deliver(row: OutboxRow, signal: AbortSignal): Promise<void> {
    const outcome = await this.sink.send(row.event, row.key, signal);
    if (signal.aborted) return;
    if (row.seq !== this.attemptSeq) {
      this.attemptSeq = row.seq;
      this.attempt = 0;
    }
    this.attempt += 1;
    const now = this.settings.now();
    const decision = decide(outcome, {
      attempt: this.attempt,
      rejections: row.rejections,
      rejectRetries: this.settings.rejectRetries,
      unknownOn404: this.sink.unknownOn404(row.event),
      backoffMs: this.settings.backoffMs,
      nowMs: now,
      maxRetryAfterMs: this.settings.maxRetryAfterMs,
    });
    switch (decision.action) {
      case 'delivered':
      case 'unknown':
        this.attempt = 0;
        this.store.remove(row.seq);
        this.report.settled(row, decision);
        return;
      case 'dead':
        this.attempt = 0;
        this.store.markDead(row.seq, decision.reason, now);
        this.report.settled(row, decision);
        return;
      case 'throttled':
        this.budget.drain(now);
        this.report.settled(row, decision);
        await sleep(decision.delayMs, signal);
        return;
      case 'retry':
        if (decision.rejected) this.store.recordRejection(row.seq, decision.reason);
        else this.store.recordError(row.seq, decision.reason);
        this.report.settled(row, decision);
        this.logger.debug({ lane: this.name, sessionId: row.sessionId, attempt: this.attempt, wait: decision.delayMs, reason: decision.reason }, 'event delivery failed; retrying');
        await sleep(decision.delayMs, signal);
        return;
    }
  }
}
