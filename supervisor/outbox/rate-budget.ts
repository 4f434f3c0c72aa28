/**
 * A token bucket for a backend that rate-limits its webhooks (pure: time arrives as an argument).
 * `perMinute` tokens refill evenly; a `high` priority event may take the last token, a `low`
 * one only while more than `reserve` are left, so receipts never eat the budget that session
 * statuses (QR codes above all) need. `perMinute <= 0` means no limit.
 */
export type Priority = 'high' | 'low';

export class RateBudget {
  private tokens: number;
  private last: number;
  readonly reserve: number;

  constructor(
    readonly perMinute: number,
    nowMs: number,
    reserveFraction = 0.5,
  ) {
    this.tokens = Math.max(0, perMinute);
    this.last = nowMs;
    this.reserve = Math.floor(Math.max(0, perMinute) * reserveFraction);
  }

  get unlimited(): boolean {
    return this.perMinute <= 0;
  }

  /** Ms until an event of `priority` may go (0: now). Does not take anything. */
  waitMs(priority: Priority, nowMs: number): number {
    if (this.unlimited) return 0;
    this.refill(nowMs);
    const need = priority === 'high' ? 1 : 1 + this.reserve;
    if (this.tokens >= need) return 0;
    return Math.ceil(((need - this.tokens) * 60_000) / this.perMinute);
  }

  /** Takes one token (call right before sending, after `waitMs` said 0). */
  take(nowMs: number): void {
    if (this.unlimited) return;
    this.refill(nowMs);
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** The server said 429: its window is spent, whatever we counted. */
  drain(nowMs: number): void {
    if (this.unlimited) return;
    this.refill(nowMs);
    this.tokens = 0;
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.last);
    this.last = Math.max(this.last, nowMs);
    this.tokens = Math.min(this.perMinute, this.tokens + (elapsed * this.perMinute) / 60_000);
  }
}
