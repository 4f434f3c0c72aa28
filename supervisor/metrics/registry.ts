/**
 * The supervisor's metrics: one prom-client Registry for the worker's own metrics (lint-clean
 * under `promtool check metrics`) and one for prom-client's default Node process metrics, which
 * break that lint (e.g. `nodejs_heap_space_size_total_bytes` is a gauge ending in `_total`).
 * `/metrics` serves both; lint checks run on `appText()` only.
 *
 * Callers use the typed recorder methods below, never prom-client directly, so label values stay
 * bounded (labels.ts) and names stay in one table (definitions.ts).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SessionStatus } from '../../src/status.js';
import { SESSION_STATUSES } from '../../src/status.js';
import type { ExitKind } from '../../src/exit-codes.js';
import { METRICS, type MetricDef } from './definitions.js';
import { EventLoopLag } from './event-loop.js';
import { RecoveryRunTally } from './recovery-run.js';
import {
  EXIT_KINDS, HEARTBEAT_RESULTS, RESTART_REASONS, closeCodeLabel, directionLabel, errorCodeLabel, exitReasonLabel, failureReasonLabel, heartbeatResultLabel, httpStatusLabel,
  identifierLabel, messageResultLabel, messageTypeLabel, recoveryResultLabel, restartReasonLabel, statusLabel,
  type HeartbeatResult, type MessageDirection, type MessageResult, type RecoveryResult, type RestartReason,
} from './labels.js';

export interface HostResources {
  sessionId: string;
  pssBytes: number;
  cpuSeconds: number;
}

/** What the supervisor knows at scrape time; gauges are filled from it on every scrape. */
export interface CollectedState {
  sessionsByStatus?: Partial<Record<SessionStatus, number>>;
  /** Sessions with a reason (`failed`, `recovering` with `storage_unavailable`, …): status, reason, count. */
  sessionsByReason?: readonly ReasonCount[];
  hosts?: readonly HostResources[];
  /** The spare pool (HOST_SPARES): spares kept, and those alive by state. */
  spares?: SpareCounts;
}
export interface SpareCounts {
  wanted: number;
  ready: number;
  booting: number;
}
/** Where a session host process came from: a pre-booted spare or a fork for this start. */
export type HostSource = 'spare' | 'fork';
export interface ReasonCount {
  status: SessionStatus;
  reason: string;
  count: number;
}
export type Collector = () => CollectedState | Promise<CollectedState>;

export interface MetricsOptions {
  /** Export per-host memory and CPU with a `session` label (METRICS_PER_SESSION). */
  perSession: boolean;
  /** Added as a `worker` label to every series, so one dashboard can filter many workers. */
  workerId?: string;
  version?: string;
  /** prom-client's default Node metrics (default true). */
  defaultMetrics?: boolean;
}

export interface Scrape {
  contentType: string;
  body: string;
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

function build(def: MetricDef, registry: Registry): AnyMetric {
  const common = { name: def.name, help: def.help, labelNames: [...def.labels], registers: [registry] };
  switch (def.kind) {
    case 'counter': return new Counter(common);
    case 'gauge': return new Gauge(common);
    case 'histogram': return new Histogram({ ...common, buckets: [...(def.buckets ?? [])] });
  }
}

export class Metrics {
  /** The worker's own metrics: what `promtool check metrics` lints. */
  readonly app = new Registry();
  /** prom-client's default process and Node.js metrics. */
  readonly process = new Registry();
  readonly perSession: boolean;

  readonly #c: Record<string, AnyMetric> = {};
  readonly #recoveryRun = new RecoveryRunTally();
  readonly #lag = new EventLoopLag();
  #collector: Collector | undefined;

  constructor(options: MetricsOptions) {
    this.perSession = options.perSession;
    if (options.workerId !== undefined) {
      this.app.setDefaultLabels({ worker: options.workerId });
      this.process.setDefaultLabels({ worker: options.workerId });
    }
    for (const [key, def] of Object.entries(METRICS) as [string, MetricDef][]) {
      if (def.perSession && !this.perSession) continue;
      this.#c[key] = build(def, this.app);
    }
    this.#gauge('workerInfo').set({ version: options.version ?? 'unknown' }, 1);
    // Every status is exported from the start (as 0), so `wa_sessions{status="failed"}` exists
    // before the first failure and alerts on it are not blind to absent series.
    for (const status of SESSION_STATUSES) this.#gauge('sessions').set({ status }, 0);
    // Same for the bounded label sets alerts use with increase(): a series born at 1 would hide
    // its first increment from increase().
    for (const result of HEARTBEAT_RESULTS) this.#counter('heartbeats').inc({ result }, 0);
    for (const reason of RESTART_REASONS) this.#counter('hostRestarts').inc({ reason }, 0);
    for (const exitReason of EXIT_KINDS) this.#counter('hostExits').inc({ exit_reason: exitReason }, 0);
    for (const source of ['spare', 'fork'] satisfies HostSource[]) this.#counter('hostStartsBySource').inc({ source }, 0);
    this.setSpares({ wanted: 0, ready: 0, booting: 0 });
    this.#counter('recoveryResults').inc({ result: 'recovered', reason: 'none' }, 0);
    this.#gauge('recoveryRunSessions').set({ result: 'recovered', reason: 'none' }, 0);
    this.#gauge('recoveryRunStart').set(0);
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.process });
  }

  #counter(key: keyof typeof METRICS): Counter<string> { return this.#c[key] as Counter<string>; }
  #gauge(key: keyof typeof METRICS): Gauge<string> { return this.#c[key] as Gauge<string>; }
  #histogram(key: keyof typeof METRICS): Histogram<string> { return this.#c[key] as Histogram<string>; }

  // ------------------------------------------------------------------ host lifecycle

  /**
   * A session host was started, on a spare or a fresh fork. The session id is not a label:
   * counters stay low-cardinality.
   */
  hostStarted(_sessionId?: string, source: HostSource = 'fork'): void {
    this.#counter('hostStarts').inc();
    this.#counter('hostStartsBySource').inc({ source });
  }
  hostRestarted(reason: RestartReason): void { this.#counter('hostRestarts').inc({ reason: restartReasonLabel(reason) }); }
  hostExited(exitKind: ExitKind): void { this.#counter('hostExits').inc({ exit_reason: exitReasonLabel(exitKind) }); }
  quarantined(): void { this.#counter('quarantines').inc(); }
  observeHostBoot(seconds: number): void { this.#observe('hostBoot', {}, seconds); }

  // ------------------------------------------------------------------ recovery

  /**
   * Once per session per recovery run (not per retry), paired with exactly one `recoveryResult`:
   * the dashboard's recovery rate is recovered results / attempts.
   */
  recoveryAttempt(): void { this.#counter('recoveryAttempts').inc(); }
  recoveryResult(result: RecoveryResult, reason?: string): void {
    this.#counter('recoveryResults').inc({ result: recoveryResultLabel(result), reason: failureReasonLabel(reason) });
  }
  observeRecoveryDuration(seconds: number): void { this.#observe('recoveryDuration', {}, seconds); }
  /**
   * The same outcome, for the start-up run's gauges (see recovery-run.ts for why both exist).
   * `startedAt` in unix seconds; `seconds` is the time to connected of a recovered session.
   */
  recoveryRunResult(result: RecoveryResult, reason: string | undefined, startedAt: number, seconds?: number): void {
    this.#recoveryRun.add(recoveryResultLabel(result), failureReasonLabel(reason), startedAt, seconds);
    const run = this.#recoveryRun.snapshot();
    for (const o of run.outcomes.values()) this.#gauge('recoveryRunSessions').set({ result: o.result, reason: o.reason }, o.sessions);
    if (run.startedAt !== undefined) this.#gauge('recoveryRunStart').set(run.startedAt);
    if (run.durations) for (const [stat, v] of Object.entries(run.durations)) this.#gauge('recoveryRunDuration').set({ stat }, v);
  }

  // ------------------------------------------------------------------ WhatsApp side

  socketReconnect(closeCode: number | undefined): void { this.#counter('socketReconnects').inc({ close_code: closeCodeLabel(closeCode) }); }
  qrIssued(): void { this.#counter('qrIssued').inc(); }
  pairingCodeIssued(): void { this.#counter('pairingCodeIssued').inc(); }
  message(direction: MessageDirection, type: string, result: MessageResult, count = 1): void {
    if (count <= 0) return;
    this.#counter('messages').inc({ direction: directionLabel(direction), type: messageTypeLabel(type), result: messageResultLabel(result) }, count);
  }

  // ------------------------------------------------------------------ backend and storage

  heartbeat(result: HeartbeatResult): void { this.#counter('heartbeats').inc({ result: heartbeatResultLabel(result) }); }
  /** `route` is a route name from the backend contract (e.g. `heartbeat`), never a raw URL. */
  observeBackendRequest(route: string, status: number | 'timeout' | 'network_error', seconds: number): void {
    this.#observe('backendRequest', { route: identifierLabel(route), status: httpStatusLabel(status) }, seconds);
  }
  /** One finished auth storage operation: a host's (`storage-op` over IPC) or the supervisor's own store's. */
  storageOp(done: { op: string; ok: boolean; durationMs: number; bytes: number; errorCode?: string | undefined }): void {
    const opLabel = identifierLabel(done.op);
    this.#observe('storageOp', { op: opLabel, result: done.ok ? 'ok' : 'error' }, done.durationMs / 1000);
    if (Number.isFinite(done.bytes) && done.bytes > 0) this.#counter('storageBytes').inc({ op: opLabel }, done.bytes);
    if (!done.ok) this.#counter('storageFailures').inc({ op: opLabel, code: errorCodeLabel(done.errorCode) });
  }

  // ------------------------------------------------------------------ outbox

  outboxEvent(sink: string, kind: string, result: string, count = 1): void {
    if (count > 0) this.#counter('outboxEvents').inc({ sink: identifierLabel(sink), kind: identifierLabel(kind), result: identifierLabel(result) }, count);
  }
  setOutbox(pending: number, dead: number, bytes: number): void {
    this.#gauge('outboxPending').set({ state: 'pending' }, pending);
    this.#gauge('outboxPending').set({ state: 'dead' }, dead);
    this.#gauge('outboxBytes').set(bytes);
  }
  observeOutboxAppend(seconds: number): void { this.#observe('outboxAppend', {}, seconds); }

  // ------------------------------------------------------------------ IPC

  ipcBackpressure(): void { this.#counter('ipcBackpressure').inc(); }

  // ------------------------------------------------------------------ gauges

  /** Replaces all status counts; statuses not given are 0. */
  setSessionsByStatus(counts: Partial<Record<SessionStatus, number>>): void {
    const gauge = this.#gauge('sessions');
    for (const status of SESSION_STATUSES) gauge.set({ status }, 0);
    for (const [status, n] of Object.entries(counts)) {
      const label = statusLabel(status);
      if (label !== 'other' && typeof n === 'number' && Number.isFinite(n)) gauge.set({ status: label }, n);
    }
  }

  /** Replaces all reason counts: a reason that no session shows any more disappears. */
  setSessionsByReason(rows: readonly ReasonCount[]): void {
    const gauge = this.#gauge('sessionReasons');
    gauge.reset();
    for (const r of rows) {
      const status = statusLabel(r.status);
      if (status === 'other' || !Number.isFinite(r.count)) continue;
      gauge.inc({ status, reason: failureReasonLabel(r.reason) }, r.count);
    }
  }

  /** No-op when per-session metrics are off; the all-hosts total is kept by `setHosts`. */
  setHostResources(sessionId: string, pssBytes: number, cpuSeconds: number): void {
    if (!this.perSession) return;
    this.#gauge('hostPss').set({ session: sessionId }, pssBytes);
    // A process's CPU time only grows, so it is a counter; prom-client counters cannot be set,
    // hence remove + inc to the absolute value sampled from /proc.
    const cpu = this.#counter('hostCpu');
    cpu.remove({ session: sessionId });
    cpu.inc({ session: sessionId }, Math.max(0, cpuSeconds));
  }

  removeHost(sessionId: string): void {
    if (!this.perSession) return;
    this.#gauge('hostPss').remove({ session: sessionId });
    this.#counter('hostCpu').remove({ session: sessionId });
  }

  /** Replaces the whole host set: hosts not listed disappear from the per-session series. */
  setHosts(hosts: readonly HostResources[]): void {
    this.#gauge('hostsPss').set(hosts.reduce((sum, h) => sum + (Number.isFinite(h.pssBytes) ? h.pssBytes : 0), 0));
    if (!this.perSession) return;
    this.#gauge('hostPss').reset();
    this.#counter('hostCpu').reset();
    for (const h of hosts) this.setHostResources(h.sessionId, h.pssBytes, h.cpuSeconds);
  }

  setSpares(spares: SpareCounts): void {
    this.#gauge('spareHosts').set({ state: 'ready' }, spares.ready);
    this.#gauge('spareHosts').set({ state: 'booting' }, spares.booting);
    this.#gauge('spareHostsWanted').set(spares.wanted);
  }

  /** The supervisor's view, read once per scrape. */
  setCollector(collector: Collector | undefined): void { this.#collector = collector; }

  // ------------------------------------------------------------------ output

  /** Fills scrape-time gauges, then renders the app registry only (what promtool lints). */
  async appText(): Promise<string> {
    await this.#refresh();
    return this.app.metrics();
  }

  /** Both registries, for `GET /metrics`. */
  async scrape(): Promise<Scrape> {
    const app = await this.appText();
    const proc = await this.process.metrics();
    return { contentType: this.app.contentType, body: `${app.trimEnd()}\n${proc}` };
  }

  /** Stops the event-loop sampler (tests and shutdown). */
  close(): void { this.#lag.stop(); }

  async #refresh(): Promise<void> {
    const lag = this.#lag.read();
    this.#gauge('eventLoopLag').set(lag.p99Seconds);
    this.#gauge('eventLoopLagMax').set(lag.maxSeconds);
    if (!this.#collector) return;
    const state = await this.#collector();
    if (state.sessionsByStatus) this.setSessionsByStatus(state.sessionsByStatus);
    if (state.sessionsByReason) this.setSessionsByReason(state.sessionsByReason);
    if (state.hosts) this.setHosts(state.hosts);
    if (state.spares) this.setSpares(state.spares);
  }

  #observe(key: keyof typeof METRICS, labels: Record<string, string>, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.#histogram(key).observe(labels, seconds);
  }
}

export function createMetrics(options: MetricsOptions): Metrics {
  return new Metrics(options);
}
