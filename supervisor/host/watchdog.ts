import type { PingStats } from '../../src/ipc/protocol.js';

export interface WatchdogOptions {
  intervalMs: number;
  /** Sends one ping; rejects when no pong arrives in time (the request carries its own timeout). */
  ping(): Promise<PingStats>;
  /** Called once, when a ping went unanswered. */
  onUnresponsive(err: unknown): void;
}

/**
 * Liveness check of one host (design.md §5): a ping every `intervalMs`, never two in flight. A
 * blocked event loop cannot answer, so it counts as a crash: the owner kills and restarts the host.
 */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = false;
  private stopped = false;
  private last: PingStats | undefined;

  constructor(private readonly options: WatchdogOptions) {}

  /** What the host said on its last answered ping (uptime, RSS, event-loop utilization). */
  get lastStats(): PingStats | undefined {
    return this.last;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
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
