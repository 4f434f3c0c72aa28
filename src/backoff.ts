/**
 * The worker's one backoff formula, for every wait between attempts that the worker times itself
 * (host restarts, in-host reconnects, backend fetches, outbox deliveries). Pure: the caller passes
 * the attempt and a random source, so every sequence is unit-tested without timers.
 *
 * Attempt n (1-based) waits up to its ceiling, min(maxMs, initialMs · 2^(n-1)). `jitter` is the
 * share of that ceiling that is random: 0 waits the ceiling exactly; 0.5 is "equal jitter" (half
 * fixed, half random: hosts that failed together spread out, yet a loop never degenerates into
 * immediate retries); 1 is "full jitter" (anywhere from 0 to the ceiling).
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** 0..1: the random share of each ceiling (see above). */
  jitter: number;
}

export type RandomSource = () => number;

/** Equal jitter: the default of every caller that has no reason to choose otherwise. */
export const EQUAL_JITTER = 0.5;

/** Upper bound of attempt `attempt`'s delay (0 for attempt ≤ 0). */
export function backoffCeiling(attempt: number, backoff: Pick<Backoff, 'initialMs' | 'maxMs'>): number {
  if (attempt <= 0) return 0;
  // 2^(n-1) overflows to Infinity for huge attempts; min() keeps the cap exact.
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.floor(attempt) - 1, 60));
}

/** The wait before attempt `attempt`: its ceiling, of which the `jitter` share is random. */
export function backoffDelay(attempt: number, backoff: Backoff, random: RandomSource = Math.random): number {
  const ceiling = backoffCeiling(attempt, backoff);
  const share = clamp01(backoff.jitter);
  return Math.round(ceiling * (1 - share) + ceiling * share * clamp01(random()));
}

/**
 * The same settings for the loops p-retry runs (registration, recovery report, storage calls):
 * p-retry grows the wait by 2 per attempt from `initialMs` up to `maxMs` and, with `randomize`,
 * multiplies each wait by a random factor in [1, 2) (its own jitter, capped at `maxMs`).
 */
export function pRetryTiming(backoff: Pick<Backoff, 'initialMs' | 'maxMs'>): { factor: number; minTimeout: number; maxTimeout: number; randomize: boolean } {
  return { factor: 2, minTimeout: backoff.initialMs, maxTimeout: backoff.maxMs, randomize: true };
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 : x;
}
