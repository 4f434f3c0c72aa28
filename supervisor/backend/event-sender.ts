import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import type { OutboundEvent } from './domain.js';
import { isRetryable } from './errors.js';
import { EventQueue, type QueuedEvent } from './event-queue.js';
import type { BackendHttp } from './http.js';
import type { BackendProfile } from './profile.js';
import { backoffMs, sleep } from './sleep.js';

export interface EventSenderOptions {
  http: BackendHttp;
  profile: BackendProfile;
  workerId: string;
  logger: Logger;
  capacity: number;
  maxBatch: number;
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * Resolves true once events may be sent (the worker is registered), false when `signal`
   * aborted first. A backend rejects events from a worker it does not know yet, so events queued
   * during a degraded start wait here instead of being rejected and lost.
   */
  whenReady?: (signal: AbortSignal) => Promise<boolean>;
}

export interface EventStats {
  queued: number;
  sent: number;
  dropped: number;
  rejected: number;
  unsupported: number;
}

/**
 * Delivers queued events one at a time, oldest first, so each session's events arrive in order.
 * Transport failures and 5xx are retried with backoff while the item stays at the head; a
 * rejected event (4xx) is logged and skipped, since sending it again cannot succeed. Only the
 * queue's capacity rule ever drops an event that could still be delivered.
 */
export class EventSender {
  private readonly queue: EventQueue;
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;
  private idleWaiters: (() => void)[] = [];
  private inFlight: QueuedEvent | null = null;
  private running: Promise<void> | null = null;
  private readonly counts = { sent: 0, rejected: 0, unsupported: 0 };

  constructor(private readonly o: EventSenderOptions) {
    this.queue = new EventQueue(o.capacity, o.maxBatch);
  }

  enqueue(event: OutboundEvent): void {
    if (this.abort.signal.aborted) return;
    const { dropped } = this.queue.push(event);
    if (dropped) {
      this.o.logger.warn({ sessionId: dropped.event.sessionId, kind: dropped.event.kind, queued: this.queue.size }, 'backend event queue full: dropped an event');
    }
    this.wake?.();
  }

  start(): void {
    this.running ??= this.run();
  }

  stats(): EventStats {
    return { queued: this.queue.size + (this.inFlight ? 1 : 0), dropped: this.queue.droppedTotal, ...this.counts };
  }

  /** Resolves when nothing is queued or in flight (or at once when already idle). */
  onIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Best-effort drain within `timeoutMs`, then stops; whatever is left is lost (and counted). */
  async close(timeoutMs: number): Promise<void> {
    if (!this.abort.signal.aborted && !this.isIdle()) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.onIdle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
    }
    const left = this.stats().queued;
    if (left > 0) this.o.logger.warn({ left }, 'backend events not delivered before shutdown');
    this.abort.abort();
    this.wake?.();
    await this.running;
  }

  private isIdle(): boolean {
    return this.queue.size === 0 && this.inFlight === null;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const item = this.queue.shift();
      if (!item) {
        for (const w of this.idleWaiters.splice(0)) w();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      this.inFlight = item;
      await this.deliver(item, signal);
      this.inFlight = null;
    }
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async deliver(item: QueuedEvent, signal: AbortSignal): Promise<void> {
    const req = this.o.profile.event(this.o.workerId, item.event);
    if (req === null) {
      this.counts.unsupported += 1;
      return;
    }
    for (let attempt = 1; !signal.aborted; attempt++) {
      if (this.o.whenReady && !(await this.o.whenReady(signal))) return;
      try {
        await this.o.http.call(req, { operation: `event:${item.event.kind}`, signal });
        this.counts.sent += 1;
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (!isRetryable(err)) {
          this.counts.rejected += 1;
          this.o.logger.warn({ sessionId: item.event.sessionId, kind: item.event.kind, code: errorCode(err), message: errorMessage(err) }, 'backend rejected an event; not retried');
          return;
        }
        const wait = backoffMs(attempt, this.o.retryMinMs, this.o.retryMaxMs);
        this.o.logger.debug({ sessionId: item.event.sessionId, attempt, wait, code: errorCode(err) }, 'backend event failed; retrying');
        if (!(await sleep(wait, signal))) return;
      }
    }
  }
}
