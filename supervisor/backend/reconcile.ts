import type { Assignment } from './contract.js';

export interface ReconcilePlan {
  /** Assigned and not hosted yet, or newly assigned: start them. */
  ensure: Assignment[];
  /** Left out of two answers in a row and still hosted: stop them (never log out). */
  release: string[];
  /**
   * Left out of this answer for the first time, still hosted: kept for now. One answer is not
   * enough to stop a session (issue 13 §6): a backend mid-deploy may answer with a partial list.
   */
  missing: string[];
}

/**
 * Decides what a fresh assignment list changes (pure). Only sessions the backend itself assigned
 * before are ever released: a session created through this worker's own API and not (yet) in the
 * backend's list is left alone. `missingBefore` are the ids the previous answer already left out.
 */
export function planReconcile(previous: ReadonlySet<string>, next: readonly Assignment[], hosted: ReadonlySet<string>, missingBefore: ReadonlySet<string> = new Set()): ReconcilePlan {
  const nextIds = new Set(next.map((a) => a.sessionId));
  const ensure = next.filter((a) => !previous.has(a.sessionId) || !hosted.has(a.sessionId));
  const gone = [...previous].filter((id) => !nextIds.has(id) && hosted.has(id));
  return { ensure, release: gone.filter((id) => missingBefore.has(id)), missing: gone.filter((id) => !missingBefore.has(id)) };
}
