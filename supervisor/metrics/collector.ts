/**
 * The scrape-time collector over the supervisor's sessions: status counts from the registry and,
 * for every session with a live host, its PSS and CPU (sampled from /proc by
 * the background `HostResourceMonitor`, supervisor/host-resources.ts; a scrape reads no /proc). Wiring the whole session side of the
 * metrics is `attachSessionMetrics(metrics, supervisor.sessions)`.
 */
import type { SessionEvent, SessionView } from '../../src/session-view.js';
import type { SessionStatus } from '../../src/status.js';
import type { CollectedState, HostResources, Metrics, ReasonCount, SpareCounts } from './registry.js';
import { recordSessionEvent } from './session-events.js';

type SessionRow = Pick<SessionView, 'sessionId' | 'status'> & Partial<Pick<SessionView, 'reason'>>;
type HostSample = { pssBytes: number; cpuSeconds: number };

/** Pure: the collector's state from the session list, the host samples and the spare pool. */
export function collectSessions(rows: readonly SessionRow[], samples: ReadonlyMap<string, HostSample>, spares?: SpareCounts): CollectedState {
  const sessionsByStatus: Partial<Record<SessionStatus, number>> = {};
  const reasons = new Map<string, ReasonCount>();
  for (const r of rows) {
    sessionsByStatus[r.status] = (sessionsByStatus[r.status] ?? 0) + 1;
    if (r.reason === null || r.reason === undefined) continue;
    const key = `${r.status}\u0000${r.reason}`;
    const row = reasons.get(key) ?? { status: r.status, reason: r.reason, count: 0 };
    row.count += 1;
    reasons.set(key, row);
  }
  const hosts: HostResources[] = [...samples].map(([sessionId, s]) => ({ sessionId, pssBytes: s.pssBytes, cpuSeconds: s.cpuSeconds }));
  return { sessionsByStatus, sessionsByReason: [...reasons.values()], hosts, ...(spares ? { spares: { wanted: spares.wanted, ready: spares.ready, booting: spares.booting } } : {}) };
}

/** What the metrics need of the session manager (structural, so tests can pass their own). */
export interface SessionSource {
  registry: {
    list(): readonly SessionRow[];
    subscribe(listener: (event: SessionEvent) => void): () => void;
  };
  /** The last /proc sample of every live host. */
  hostResources: { current(): ReadonlyMap<string, HostSample> };
  /** The spare pool (HOST_SPARES), when there is one. */
  spares?: { status(): SpareCounts };
}

/**
 * Subscribes to session events and installs the collector; returns the detach function. Attach
 * before recovery starts, or the first recovery results are missed.
 */
export function attachSessionMetrics(metrics: Metrics, sessions: SessionSource): () => void {
  const unsubscribe = sessions.registry.subscribe((event) => recordSessionEvent(metrics, event));
  metrics.setCollector(() => collectSessions(sessions.registry.list(), sessions.hostResources.current(), sessions.spares?.status()));
  return () => {
    unsubscribe();
    metrics.setCollector(undefined);
  };
}
