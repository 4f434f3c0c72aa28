/**
 * In-process costs at a registry size no test machine can host (1,000 sessions by default): how
 * long the supervisor's event loop is busy rendering `/metrics` and building one heartbeat body.
 * Uses the supervisor's own metrics registry (supervisor/metrics/) and the backend profiles'
 * heartbeat builders (supervisor/backend/), so the figures are the code paths production runs.
 * Host /proc sampling is not part of this figure; the live runs time `GET /metrics` end to end.
 */
import type { SessionView } from '../../src/session-view.js';
import { SESSION_STATUSES, type SessionStatus } from '../../src/status.js';
import type { HeartbeatSnapshot } from '../../supervisor/backend/contract.js';
import { seedProfile, whatsamProfile } from '../../supervisor/backend/profiles/index.js';
import { MetricsSampler } from '../../supervisor/backend/system-metrics.js';
import { collectSessions, createMetrics } from '../../supervisor/metrics/index.js';
import { measureOutboxAppend } from './outbox.js';
import { summarize, type Summary } from './stats.js';

export interface TimedFigure extends Summary {
  /** Size of what was built (metrics text or JSON body), in bytes. */
  bytes: number;
}

export interface InProcessResults {
  sessions: number;
  metricsPerSession: TimedFigure;
  metricsAggregate: TimedFigure;
  heartbeatSeed: TimedFigure;
  heartbeatWhatsam: TimedFigure;
  /** One session event persisted in the durable outbox, OUTBOX_SYNC=normal (the default). */
  outboxAppend: TimedFigure;
  /** The same with OUTBOX_SYNC=full (one fsync per event). */
  outboxAppendFsync: TimedFigure;
}

async function time(iterations: number, fn: () => Promise<number> | number): Promise<TimedFigure> {
  let bytes = 0;
  for (let i = 0; i < 5; i++) bytes = await fn(); // warm-up: JIT and first-render allocations
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    bytes = await fn();
    ms.push(performance.now() - started);
  }
  return { ...summarize(ms), bytes };
}

/** Pure: `count` sessions as the registry would list them, statuses spread like a busy worker. */
export function syntheticSessions(count: number, now = new Date()): SessionView[] {
  const common: SessionStatus[] = ['connected', 'connected', 'connected', 'connected', 'reconnecting', 'qr_required'];
  return Array.from({ length: count }, (_, i) => {
    const status = i % 50 === 49 ? SESSION_STATUSES[i % SESSION_STATUSES.length]! : common[i % common.length]!;
    return {
      sessionId: `bench-${String(i).padStart(5, '0')}`,
      userId: `user-${i}`,
      name: `Session ${i}`,
      status,
      reason: status === 'failed' ? 'crash_loop' : null,
      phoneNumber: status === 'connected' ? String(15550000000 + i) : null,
      pid: status === 'connected' ? 100_000 + i : null,
      restarts: i % 7,
      isRecovered: i % 3 === 0,
      qr: null,
      qrExpiresAt: null,
      pairingCode: null,
      pairingCodeExpiresAt: null,
      lastSeen: now.toISOString(),
      connectedAt: status === 'connected' ? now.toISOString() : null,
      lastCloseCode: null,
      nextRestartAt: null,
      proxy: null,
    };
  });
}

async function metricsRender(sessions: SessionView[], perSession: boolean, iterations: number): Promise<TimedFigure> {
  const metrics = createMetrics({ perSession, workerId: 'bench-worker', version: 'bench' });
  // PSS ~60 MB and a growing CPU counter per host, as /proc sampling would report them.
  const samples = new Map(sessions.filter((s) => s.pid !== null).map((s, i) => [s.sessionId, { pssBytes: 60e6 + i * 1000, cpuSeconds: 12.5 + i / 100 }]));
  metrics.setCollector(() => collectSessions(sessions, samples));
  try {
    return await time(iterations, async () => (await metrics.scrape()).body.length);
  } finally {
    metrics.close();
  }
}

function heartbeatBuild(sessions: SessionView[], profile: typeof seedProfile, iterations: number): Promise<TimedFigure> {
  const sampler = new MetricsSampler();
  return time(iterations, () => {
    // What HeartbeatLoop does per beat: snapshot, profile mapping, then the client serialises it.
    const snapshot: HeartbeatSnapshot = {
      at: new Date().toISOString(),
      metrics: sampler.sample(),
      messageCount: 12_345,
      maxSessions: 5_000,
      version: 'bench',
      features: ['multi-session', 'session-recovery'],
      sessions,
      includeSessions: true,
    };
    const req = profile.heartbeat('bench-worker', snapshot);
    return JSON.stringify(req.body).length;
  });
}

export async function measureInProcess(count: number, iterations = 50): Promise<InProcessResults> {
  const sessions = syntheticSessions(count);
  return {
    sessions: count,
    metricsPerSession: await metricsRender(sessions, true, iterations),
    metricsAggregate: await metricsRender(sessions, false, iterations),
    heartbeatSeed: await heartbeatBuild(sessions, seedProfile, iterations),
    heartbeatWhatsam: await heartbeatBuild(sessions, whatsamProfile, iterations),
    outboxAppend: await measureOutboxAppend(Math.max(200, iterations), 'normal'),
    outboxAppendFsync: await measureOutboxAppend(Math.max(200, iterations), 'full'),
  };
}
