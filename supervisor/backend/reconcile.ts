import type { Assignment } from './domain.js';

export interface ReconcilePlan {
  /** Assigned and not hosted yet, or newly assigned: start them. */
  ensure: Assignment[];
  /** Previously assigned, no longer assigned, still hosted: stop them (never log out). */
  release: string[];
}

/**
 * Decides what a fresh assignment list changes (pure). Only sessions the backend itself assigned
 * before are ever released: a session created through this worker's own API and not (yet) in the
 * backend's list is left alone.
 */
export function planReconcile(previous: ReadonlySet<string>, next: readonly Assignment[], hosted: ReadonlySet<string>): ReconcilePlan {
  const nextIds = new Set(next.map((a) => a.sessionId));
  const ensure = next.filter((a) => !previous.has(a.sessionId) || !hosted.has(a.sessionId));
  const release = [...previous].filter((id) => !nextIds.has(id) && hosted.has(id));
  return { ensure, release };
}
