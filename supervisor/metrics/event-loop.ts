/**
 * Samples the supervisor's event loop delay between scrapes. A lagging supervisor answers
 * watchdog pings late and may kill healthy hosts, so operators need to see it.
 *
 * A plain interval timer measures how late it fires. (perf_hooks' monitorEventLoopDelay was
 * tried first: on Node 20 it under-reports a single long block, which is exactly the case that
 * matters here.)
 */
export interface LagReading {
  p99Seconds: number;
  maxSeconds: number;
}

/** Most samples kept between two reads; with a 20 ms tick that is several minutes. */
const MAX_SAMPLES = 16_384;

/** Pure: nearest-rank percentile of unsorted values (0 for none). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export class EventLoopLag {
  readonly #resolutionMs: number;
  readonly #timer: NodeJS.Timeout;
  #last = performance.now();
  #samples: number[] = [];

  constructor(resolutionMs = 20) {
    this.#resolutionMs = resolutionMs;
    this.#timer = setInterval(() => this.#tick(), resolutionMs);
    // The sampler must never keep a supervisor alive that is otherwise done.
    this.#timer.unref();
  }

  /** Reading since the previous call; the window restarts so each scrape sees fresh data. */
  read(): LagReading {
    // A block still in progress ends with this call: count it too.
    this.#tick();
    const samples = this.#samples;
    this.#samples = [];
    return { p99Seconds: percentile(samples, 99) / 1000, maxSeconds: (samples.length ? Math.max(...samples) : 0) / 1000 };
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    const now = performance.now();
    const lag = Math.max(0, now - this.#last - this.#resolutionMs);
    this.#last = now;
    if (this.#samples.length < MAX_SAMPLES) this.#samples.push(lag);
  }
}
