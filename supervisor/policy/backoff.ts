/**
 * Restart backoff of a crashing host (design.md §5, Kubernetes shape). Pure: the caller passes the
 * streak length and a random source, so the whole sequence is unit-tested without timers.
 *
 * - Streak 0 (first crash after a stable period): restart at once — an operator's `kill -9` is back
 *   in about a second.
 * - Streak n ≥ 1: base = min(max, initial · 2^(n-1)), then "equal jitter": half the base fixed, half
 *   random. Equal rather than full jitter so a crash loop never degenerates into immediate restarts,
 *   while hosts that crashed together (a bad deploy) still spread out.
 */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  /** A host that stayed up this long after `ready` starts a new streak. */
  resetMs: number;
}

export type RandomSource = () => number;

export function restartDelay(streak: number, settings: BackoffSettings, random: RandomSource = Math.random): number {
  if (streak <= 0) return 0;
  const base = backoffCeiling(streak, settings);
  const r = clamp01(random());
  return Math.round(base / 2 + (base / 2) * r);
}

/** Upper bound of the delay for a streak, before jitter. */
export function backoffCeiling(streak: number, settings: BackoffSettings): number {
  if (streak <= 0) return 0;
  // 2^(n-1) overflows to Infinity for huge streaks; min() keeps the cap exact.
  const grown = settings.initialMs * 2 ** Math.min(streak - 1, 60);
  return Math.min(settings.maxMs, grown);
}

/**
 * Streak to use for the crash that just happened: reset to 0 when the host had been up (since its
 * `ready`) at least `resetMs`. A host that never became ready keeps its streak.
 */
export function streakAfterUptime(streak: number, readyAt: number | null, now: number, settings: BackoffSettings): number {
  if (readyAt !== null && now - readyAt >= settings.resetMs) return 0;
  return streak;
}

function clamp01(x: number): number {
  if (!Number.isFinite(x) || x < 0) return 0;
  return x >= 1 ? 1 : x;
}
