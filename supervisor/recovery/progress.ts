import type { RecoveryResult } from '../../src/session-view.js';

/**
 * The tally of one recovery run, as /health shows it: a pure, immutable value. The runner replaces
 * it at each step (`started`, `slotTaken`, `tallied`, `slotFreed`, `finished`) instead of bumping
 * counters in place, so a reader never sees a half-updated tally and every step is unit-tested
 * without processes.
 */
export type RecoveryPhase = 'pending' | 'running' | 'done' | 'disabled';

export interface RecoveryProgress {
  readonly phase: RecoveryPhase;
  readonly total: number;
  readonly done: number;
  readonly recovered: number;
  readonly failed: number;
  readonly skipped: number;
  /** Sessions currently holding a slot (booting or waiting for a final state). */
  readonly inFlight: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export const PENDING: RecoveryProgress = { phase: 'pending', total: 0, done: 0, recovered: 0, failed: 0, skipped: 0, inFlight: 0, startedAt: null, finishedAt: null };

/** ENABLE_SESSION_RECOVERY=false; a run that has begun is not disabled after the fact. */
export function disabled(p: RecoveryProgress): RecoveryProgress {
  return p.phase === 'pending' ? { ...p, phase: 'disabled' } : p;
}

export function started(p: RecoveryProgress, total: number, at: string): RecoveryProgress {
  return { ...p, phase: 'running', total, startedAt: at };
}

/** A session took a recovery slot (its host boots, or it waits for a final state). */
export function slotTaken(p: RecoveryProgress): RecoveryProgress {
  return { ...p, inFlight: p.inFlight + 1 };
}

export function slotFreed(p: RecoveryProgress): RecoveryProgress {
  return { ...p, inFlight: p.inFlight - 1 };
}

/** One session's result counted: done, and recovered, failed or skipped. */
export function tallied(p: RecoveryProgress, outcome: RecoveryResult['outcome']): RecoveryProgress {
  const done = p.done + 1;
  switch (outcome) {
    case 'recovered':
      return { ...p, done, recovered: p.recovered + 1 };
    case 'failed':
      return { ...p, done, failed: p.failed + 1 };
    case 'skipped':
      return { ...p, done, skipped: p.skipped + 1 };
  }
}

export function finished(p: RecoveryProgress, at: string): RecoveryProgress {
  return { ...p, phase: 'done', finishedAt: at };
}

/** The line logged every few seconds while recovery runs. */
export function progressLine(p: RecoveryProgress): string {
  return `recovery progress: ${p.done}/${p.total} done, ${p.recovered} recovered, ${p.failed} failed, ${p.inFlight} in flight`;
}

/** The line logged once the run has finished. */
export function summaryLine(p: RecoveryProgress): string {
  return `recovery finished: recovered ${p.recovered}/${p.total} (${p.failed} failed, ${p.skipped} skipped)`;
}
