import type { RecoveryResult } from '../src/session-view.js';
import type { FailureReason, SessionStatus } from '../src/status.js';
import type { BackendStatus } from './backend/integration.js';
import type { OutboxStats } from './outbox/outbox.js';
import type { StorageHealth } from './http/routes/storage-probe.js';
import type { SparePoolStatus } from './host/spare-pool.js';
import type { RecoveryProgress } from './recovery/progress.js';

export type WorkerMode = 'standalone' | 'backend';
export type HealthStatus = 'ok' | 'shutting_down';

export interface SessionCounts {
  readonly total: number;
  /** Only statuses with at least one session appear. */
  readonly byStatus: Partial<Record<SessionStatus, number>>;
}

export interface HealthInput {
  readonly closing: boolean;
  readonly workerId: string;
  readonly version: string;
  readonly mode: WorkerMode;
  readonly backendProfile: string | undefined;
  readonly maxSessions: number;
  readonly startedAtMs: number;
  readonly nowMs: number;
  readonly sessionStatuses: Iterable<SessionStatus>;
  readonly memory: { readonly rss: number; readonly heapUsed: number };
  readonly pid: number;
  readonly nodeVersion: string;
  /** Progress of this start's session recovery (absent until the session side is wired). */
  readonly recovery?: RecoveryProgress;
  /** Backend mode: reachability, registration and heartbeats of the backend client. */
  readonly backend?: BackendStatus;
  /** The durable event outbox: pending and dead-lettered events per lane, delivery counts. */
  readonly events?: OutboxStats;
  /** Reachability of auth snapshot storage (last probe). */
  readonly storage?: StorageHealth;
  /** Outcome of this start's recovery, once it has finished. */
  readonly recoveryResult?: RecoverySummary;
  /** Pre-booted spare hosts (HOST_SPARES). */
  readonly spares?: SparePoolStatus;
}

/** The last recovery's outcome for operators: counts, and which sessions did not come back and why. */
export interface RecoverySummary {
  readonly total: number;
  readonly recovered: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failures: ReadonlyArray<{ sessionId: string; status: SessionStatus; reason: FailureReason | null; error: string | null }>;
  /** Failures beyond the first ones listed. */
  readonly moreFailures: number;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly workerId: string;
  readonly version: string;
  readonly mode: WorkerMode;
  readonly backendProfile?: string;
  readonly uptimeSeconds: number;
  readonly maxSessions: number;
  readonly sessions: SessionCounts;
  readonly pid: number;
  readonly nodeVersion: string;
  readonly memory: { readonly rssBytes: number; readonly heapUsedBytes: number };
  readonly recovery?: RecoveryProgress;
  readonly recoveryResult?: RecoverySummary;
  readonly backend?: BackendStatus;
  readonly events?: OutboxStats;
  readonly storage?: StorageHealth;
  readonly spares?: SparePoolStatus;
}

const LISTED_FAILURES = 20;

/** Pure: a recovery run's results as /health shows them (failures listed, bounded). */
export function summarizeRecovery(results: readonly RecoveryResult[]): RecoverySummary {
  const failed = results.filter((r) => r.outcome === 'failed');
  return {
    total: results.length,
    recovered: results.filter((r) => r.outcome === 'recovered').length,
    failed: failed.length,
    skipped: results.filter((r) => r.outcome === 'skipped').length,
    failures: failed.slice(0, LISTED_FAILURES).map((r) => ({ sessionId: r.sessionId, status: r.status, reason: r.reason ?? null, error: r.error ?? null })),
    moreFailures: Math.max(0, failed.length - LISTED_FAILURES),
  };
}

export function countSessions(statuses: Iterable<SessionStatus>): SessionCounts {
  const byStatus: Partial<Record<SessionStatus, number>> = {};
  let total = 0;
  for (const status of statuses) {
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    total += 1;
  }
  return { total, byStatus };
}

/** Pure: the `/health` body from a snapshot of the supervisor's state. */
export function buildHealthReport(input: HealthInput): HealthReport {
  return {
    status: input.closing ? 'shutting_down' : 'ok',
    workerId: input.workerId,
    version: input.version,
    mode: input.mode,
    ...(input.mode === 'backend' && input.backendProfile !== undefined ? { backendProfile: input.backendProfile } : {}),
    uptimeSeconds: Math.max(0, Math.floor((input.nowMs - input.startedAtMs) / 1000)),
    maxSessions: input.maxSessions,
    sessions: countSessions(input.sessionStatuses),
    pid: input.pid,
    nodeVersion: input.nodeVersion,
    memory: { rssBytes: input.memory.rss, heapUsedBytes: input.memory.heapUsed },
    ...(input.recovery === undefined ? {} : { recovery: input.recovery }),
    ...(input.recoveryResult === undefined ? {} : { recoveryResult: input.recoveryResult }),
    ...(input.backend === undefined ? {} : { backend: input.backend }),
    ...(input.events === undefined ? {} : { events: input.events }),
    ...(input.storage === undefined ? {} : { storage: input.storage }),
    ...(input.spares === undefined ? {} : { spares: input.spares }),
  };
}
