import { backoffDelay, EQUAL_JITTER, type RandomSource } from '../../src/backoff.js';

/**
 * Restart backoff of a crashing host (design.md §5, Kubernetes shape), on the worker's one backoff
 * formula (src/backoff.ts). Pure: the caller passes the streak length and a random source, so the
 * whole sequence is unit-tested without timers.
 *
 * - Streak 0 (first crash after a stable period): restart at once — an operator's `kill -9` is back
 *   in about a second.
 * - Streak n ≥ 1: attempt n of the backoff with equal jitter (half fixed, half random), so a crash
 *   loop never degenerates into immediate restarts, while hosts that crashed together (a bad
 *   deploy) still spread out.
 */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  /** A host that stayed up this long after `ready` starts a new streak. */
  resetMs: number;
}

export function restartDelay(streak: number, settings: BackoffSettings, random: RandomSource = Math.random): number {
  if (streak <= 0) return 0;
  return backoffDelay(streak, { initialMs: settings.initialMs, maxMs: settings.maxMs, jitter: EQUAL_JITTER }, random);
}

/**
 * Streak to use for the crash that just happened: reset to 0 when the host had been up (since its
 * `ready`) at least `resetMs`. A host that never became ready keeps its streak.
 */
export function streakAfterUptime(streak: number, readyAt: number | null, now: number, settings: BackoffSettings): number {
  if (readyAt !== null && now - readyAt >= settings.resetMs) return 0;
  return streak;
}
