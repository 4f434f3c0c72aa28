/**
 * Restart intensity (OTP's MaxR/MaxT): more than `intensity` restarts within `periodMs` quarantines
 * the session (`failed`, `crash_loop`) until an operator restarts it. Pure: the history is a list of
 * timestamps owned by the session's actor.
 */
export interface RestartWindowSettings {
  intensity: number;
  periodMs: number;
}

export type RestartDecision =
  | { action: 'restart'; history: number[] }
  | { action: 'quarantine'; history: number[] };

/** Drops restarts older than the window. */
export function pruneHistory(history: readonly number[], now: number, periodMs: number): number[] {
  return history.filter((t) => now - t < periodMs);
}

/**
 * Decides about one more restart at `now`. The restart is recorded when allowed; a quarantine
 * returns the pruned history unchanged (nothing was restarted).
 */
export function decideRestart(history: readonly number[], now: number, settings: RestartWindowSettings): RestartDecision {
  const recent = pruneHistory(history, now, settings.periodMs);
  if (recent.length + 1 > settings.intensity) return { action: 'quarantine', history: recent };
  return { action: 'restart', history: [...recent, now] };
}
