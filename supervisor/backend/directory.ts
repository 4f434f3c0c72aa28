import type { SessionEvent, SessionSpec, SessionView } from '../../src/session-view.js';

/**
 * The backend integration's view of the supervisor's session registry. The registry implements
 * it; the integration never reaches past it. `release` stops hosting a session and keeps its auth
 * (never a logout): a session moved to another worker must still be recoverable there.
 */
export interface SessionDirectory {
  list(): SessionView[];
  /** Start hosting an assigned session; idempotent (a session already hosted is left alone). */
  ensure(spec: SessionSpec): Promise<void>;
  /** Stop hosting; auth is kept. Idempotent. */
  release(sessionId: string): Promise<void>;
  /** Subscribe to session events in emission order; returns the unsubscribe function. */
  onEvent(listener: (e: SessionEvent) => void): () => void;
}
