/**
 * One interval timer for the watchdogs of every host (design.md §5: the supervisor pings each
 * host). A timer per host woke an idle supervisor N times per period, each at its own phase, and
 * the answers came back just as spread out; one shared tick pings every host at once, so their
 * answers arrive together too (issue 15). The timer runs only while some watchdog has joined and
 * never keeps the process alive.
 */
export class PingClock {
  private readonly members = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly intervalMs: number) {}

  /** Calls `tick` once every period from now on; returns the function that stops it (idempotent). */
  join(tick: () => void): () => void {
    // A wrapper per join: the same function joined twice is two members.
    const member = (): void => tick();
    this.members.add(member);
    if (!this.timer) {
      this.timer = setInterval(() => {
        for (const m of [...this.members]) m();
      }, this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.members.delete(member);
      if (this.members.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  /** Watchdogs currently ticking (tests). */
  get size(): number {
    return this.members.size;
  }

  /** Whether the shared timer is armed (tests: none once every host has stopped). */
  get running(): boolean {
    return this.timer !== undefined;
  }
}
