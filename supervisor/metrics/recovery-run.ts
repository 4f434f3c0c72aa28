/**
 * The start-up recovery of this worker process, tallied for gauges. Counters alone cannot show a
 * recovery that finishes before Prometheus' first scrape of a new process: `increase()` ignores a
 * series' first sample, so a small worker that recovers in three seconds and is scraped every
 * fifteen would show no recovery at all (and an all-failed recovery would never page). Gauges of
 * the run's outcome are readable from any single scrape. Pure: no prom-client here.
 */

export interface RecoveryRunSnapshot {
  /** `result|reason` → sessions. */
  readonly outcomes: ReadonlyMap<string, { result: string; reason: string; sessions: number }>;
  /** Unix seconds when the run's first session started; undefined before any result. */
  readonly startedAt: number | undefined;
  /** Over recovered sessions' time to connected, in seconds; undefined before the first. */
  readonly durations: { p50: number; p95: number; max: number } | undefined;
}

/** Nearest-rank quantile of an ascending array (non-empty). */
export function nearestRank(sorted: readonly number[], q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export class RecoveryRunTally {
  readonly #outcomes = new Map<string, { result: string; reason: string; sessions: number }>();
  readonly #durations: number[] = [];
  #startedAt: number | undefined;

  /** One session's final outcome; `startedAt` in unix seconds, `seconds` its time to connected. */
  add(result: string, reason: string, startedAt: number, seconds?: number): void {
    const key = `${result}|${reason}`;
    const o = this.#outcomes.get(key) ?? { result, reason, sessions: 0 };
    o.sessions++;
    this.#outcomes.set(key, o);
    if (Number.isFinite(startedAt)) this.#startedAt = Math.min(this.#startedAt ?? startedAt, startedAt);
    if (seconds !== undefined && Number.isFinite(seconds)) {
      // Kept sorted on insert: one run has at most a few thousand sessions.
      const at = this.#durations.findIndex((d) => d > seconds);
      this.#durations.splice(at === -1 ? this.#durations.length : at, 0, seconds);
    }
  }

  snapshot(): RecoveryRunSnapshot {
    const d = this.#durations;
    return {
      outcomes: new Map([...this.#outcomes].map(([k, v]) => [k, { ...v }])),
      startedAt: this.#startedAt,
      durations: d.length === 0 ? undefined : { p50: nearestRank(d, 0.5), p95: nearestRank(d, 0.95), max: d[d.length - 1]! },
    };
  }
}
