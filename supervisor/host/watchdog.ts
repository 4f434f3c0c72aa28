import type { PingStats } from '../../src/ipc/protocol.js';
import { PingClock } from './ping-clock.js';

export interface WatchdogOptions {
  intervalMs: number;
  /** The supervisor's one ping timer, shared by every host's watchdog; default: a clock of its own. */
  clock?: PingClock | undefined;
  /** Sends one ping; rejects when no pong arrives in time (the request carries its own timeout). */
  ping(): Promise<PingStats>;
  /** Called once, when a ping went unanswered. */
  onUnresponsive(err: unknown): void;
}

/**
 * Liveness check of one host (design.md §5): a ping every period of its clock (the supervisor's
 * shared PingClock, else `intervalMs`), never two in flight. A
 * blocked event loop cannot answer, so it counts as a crash: the owner kills and restarts the host.
 */
export class Watchdog {
  private leave: (() => void) | undefined;
  private inFlight = false;
  private stopped = false;
  private last: PingStats | undefined;

  constructor(private readonly options: WatchdogOptions) {}

  /** What the host said on its last answered ping (uptime, RSS, event-loop utilization). */
  get lastStats(): PingStats | undefined {
    return this.last;
  }

  start(): void {
    if (this.leave || this.stopped) return;
    const clock = this.options.clock ?? new PingClock(this.options.intervalMs);
    this.leave = clock.join(() => this.tick());
  }

  stop(): void {
    this.stopped = true;
    this.leave?.();
    this.leave = undefined;
  }

  private tick(): void {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    this.options.ping().then(
      (stats) => {
        this.last = stats;
      },
      (err: unknown) => {
        if (this.stopped) return; // stopping or exited: an unanswered ping means nothing now
        this.stop();
        this.options.onUnresponsive(err);
      },
    ).finally(() => {
      this.inFlight = false;
    });
  }
}
