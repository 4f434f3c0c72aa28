import type { Config } from '../../src/config/index.js';
import type { Logger } from '../../src/logger.js';
import { errorCode, errorMessage } from '../../src/errors.js';
import type { RecoveryResult, SessionSpec } from '../../src/session-view.js';
import { AssignmentSync, type AssignmentSource } from './assignment-sync.js';
import type { Assignment, BackendProfile, HeartbeatSnapshot, SessionDirectory, WorkerIdentity } from './contract.js';
import { BackendError, REGISTRATION_PROBLEMS } from './errors.js';
import { HeartbeatLoop, type HeartbeatRecord, type HeartbeatResult } from './heartbeat.js';
import { BackendHttp, type RequestObserver } from './http.js';
import { workerIdentity } from './identity.js';
import { countedMessages } from './outbound-events.js';
import { backendSink } from '../outbox/backend-sink.js';
import type { EventSink } from '../outbox/sink.js';
import { profileFor } from './profiles/index.js';
import { RecoveryReporter } from './recovery-report.js';
import { Registration, type RegistrationProblem } from './registration.js';
import type { BackendErrorRecord } from './health.js';
import { backoffDelay, EQUAL_JITTER } from '../../src/backoff.js';
import { sleep } from '../../src/deadline.js';
import { MetricsSampler } from './system-metrics.js';

/** Retry and queue tuning; defaults suit production, tests shorten them. */
export interface BackendTiming {
  registerRetryMinMs: number;
  registerRetryMaxMs: number;
  eventRetryMinMs: number;
  eventRetryMaxMs: number;
  reportRetries: number;
  reportRetryMinMs: number;
  reportRetryMaxMs: number;
  assignmentRetryMinMs: number;
  flushTimeoutMs: number;
}

export interface BackendStatus {
  mode: 'backend';
  profile: 'seed' | 'whatsam';
  workerId: string;
  /** Last call got an HTTP answer; null before the first call. */
  reachable: boolean | null;
  registered: boolean;
  /** Started (or running) on cached assignments while the backend did not answer. */
  degraded: boolean;
  assignments: { source: AssignmentSource; count: number; lastFetchAt: string | null };
  lastHeartbeat: HeartbeatRecord | null;
  heartbeats: { sent: number; failed: number };
  recoveryReported: boolean;
  lastError: BackendErrorRecord | null;
  /** Why the backend refuses to register this worker (a stable code), until it accepts it. */
  registrationProblem: RegistrationProblem | null;
  decommissioned: boolean;
}

export interface BackendIntegrationDeps {
  config: Config;
  logger: Logger;
  directory: SessionDirectory;
  workerId: string;
  endpoint: string;
  /** NODE_ENV by default; reported to backends that ask for an environment. */
  environment?: string;
  timing?: Partial<BackendTiming>;
  /** Metrics hooks: every request's duration and every heartbeat's result. */
  observer?: BackendObserver;
}

export interface BackendObserver {
  request: RequestObserver;
  heartbeat(result: HeartbeatResult): void;
}

function defaultTiming(config: Config): BackendTiming {
  return {
    registerRetryMinMs: 1000,
    registerRetryMaxMs: 60_000,
    eventRetryMinMs: 500,
    eventRetryMaxMs: 30_000,
    reportRetries: 10,
    reportRetryMinMs: 1000,
    reportRetryMaxMs: 30_000,
    assignmentRetryMinMs: 1000,
    flushTimeoutMs: Math.min(5000, config.backendTimeout),
  };
}

/**
 * The worker's side of the control plane (design.md §8): register, assignments (with an atomic
 * cache and periodic reconcile), the recovery report, heartbeats and events. Returns null in
 * standalone mode (no BACKEND_URL): then no backend call is ever made.
 */
export function createBackendIntegration(deps: BackendIntegrationDeps): BackendIntegration | null {
  if (deps.config.backendUrl === undefined) return null;
  return new BackendIntegration(deps);
}

export class BackendIntegration {
  readonly identity: WorkerIdentity;
  readonly profile: BackendProfile;
  private readonly http: BackendHttp;
  private readonly timing: BackendTiming;
  private readonly registration: Registration;
  private readonly sync: AssignmentSync;
  private readonly reporter: RecoveryReporter;
  private readonly heartbeats: HeartbeatLoop;
  private readonly sampler = new MetricsSampler();
  private readonly abort = new AbortController();
  private readonly logger: Logger;
  private unsubscribe: (() => void) | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private catchingUp: Promise<void> | null = null;
  private reRegistering: Promise<void> | null = null;
  private background = new Set<Promise<unknown>>();
  private started = false;
  private stopped: Promise<void> | null = null;
  private messageCount = 0;
  private degraded = false;
  private decommissioned = false;

  constructor(private readonly deps: BackendIntegrationDeps) {
    const { config } = deps;
    if (config.backendUrl === undefined) throw new BackendError('BACKEND_UNSUPPORTED', 'BackendIntegration needs BACKEND_URL (standalone mode has none)');
    this.logger = deps.logger.child({ component: 'backend', profile: config.backendProfile });
    this.timing = { ...defaultTiming(config), ...deps.timing };
    this.profile = profileFor(config.backendProfile);
    this.identity = workerIdentity(config, deps.workerId, deps.endpoint, deps.environment ?? config.nodeEnv ?? '');
    this.profile.checkIdentity(this.identity);
    this.http = new BackendHttp({ baseUrl: config.backendUrl, token: config.workerAuthToken, timeoutMs: config.backendTimeout, userAgent: `wa-gateway-worker/${this.identity.version}`, observe: deps.observer?.request });
    const common = { http: this.http, profile: this.profile, logger: this.logger };
    this.registration = new Registration({ ...common, identity: this.identity, retryMinMs: this.timing.registerRetryMinMs, retryMaxMs: this.timing.registerRetryMaxMs });
    this.sync = new AssignmentSync({ ...common, workerId: deps.workerId, dataDir: config.dataDir, directory: deps.directory });
    this.reporter = new RecoveryReporter({
      ...common,
      workerId: deps.workerId,
      registration: this.registration,
      retries: this.timing.reportRetries,
      retryMinMs: this.timing.reportRetryMinMs,
      retryMaxMs: this.timing.reportRetryMaxMs,
    });
    this.heartbeats = new HeartbeatLoop({
      ...common,
      workerId: deps.workerId,
      intervalMs: config.heartbeatInterval,
      timeoutMs: config.heartbeatTimeout,
      snapshot: () => this.snapshot(),
      onWorkerUnknown: () => this.reRegister(),
      onResult: deps.observer ? (r) => deps.observer?.heartbeat(r) : undefined,
    });
  }

  /**
   * Call once the HTTP server listens. Registers (one bounded try), fetches the assignments, and
   * returns the sessions to recover. When the backend does not answer, returns the cached list
   * and keeps trying in the background; the answer, when it comes, is reconciled.
   */
  async start(): Promise<SessionSpec[]> {
    if (this.started) throw new BackendError('BACKEND_UNSUPPORTED', 'backend integration already started');
    this.started = true;
    const signal = this.abort.signal;
    // Events themselves go through the durable outbox (supervisor/outbox/), fed by app.ts.
    this.unsubscribe = this.deps.directory.onEvent((e) => {
      this.messageCount += countedMessages(e);
    });

    let registered = false;
    try {
      await this.registration.attempt(signal);
      registered = true;
    } catch (err) {
      // A refusal only an operator can resolve was logged once, as an error, by the registration.
      if (!REGISTRATION_PROBLEMS.has(errorCode(err))) this.logger.warn({ code: errorCode(err), message: errorMessage(err) }, 'backend registration failed at start; continuing degraded');
    }
    let list: Assignment[] | null = null;
    if (registered) {
      try {
        list = await this.sync.fetch(signal);
      } catch (err) {
        this.logger.warn({ code: errorCode(err), message: errorMessage(err) }, 'could not fetch assigned sessions at start');
      }
    }
    if (list === null) {
      this.degraded = true;
      list = (await this.sync.fromCache()) ?? [];
      // Nobody waits here: start() answers from the cache now. track() handles a rejection and
      // stop() waits for it; catchUp logs and retries its own failures.
      void this.track((this.catchingUp = this.catchUp(signal)));
    }
    await this.sync.adopt(list);
    this.schedulePoll();
    return list.map((a) => ({ sessionId: a.sessionId, userId: a.userId, name: a.name }));
  }

  /** The one recovery report of this start; resolves true when the backend accepted it. */
  reportRecovery(results: readonly RecoveryResult[]): Promise<boolean> {
    return this.track(this.reporter.report(results, this.abort.signal));
  }

  startHeartbeats(): void {
    if (this.decommissioned || this.abort.signal.aborted) return;
    this.heartbeats.start();
  }

  /**
   * The backend's webhooks as an outbox sink: events wait for registration (a backend rejects
   * events from a worker it does not know) and are shaped by this profile.
   */
  eventSink(): EventSink {
    return backendSink({ http: this.http, profile: this.profile, workerId: this.deps.workerId, whenReady: (signal) => this.registration.whenRegistered(signal) });
  }

  /** Retry timing of event delivery (the outbox's backoff). */
  eventRetry(): { minMs: number; maxMs: number; flushTimeoutMs: number } {
    return { minMs: this.timing.eventRetryMinMs, maxMs: this.timing.eventRetryMaxMs, flushTimeoutMs: this.timing.flushTimeoutMs };
  }

  /**
   * Shutdown: stops timers and retries. Never unregisters: the backend keeps this worker's
   * sessions assigned so the next start recovers them. Undelivered events stay in the outbox.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.unsubscribe?.();
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = null;
      this.abort.abort();
      await this.heartbeats.stop();
      await Promise.allSettled([...this.background]);
      await this.sayOffline();
    })();
    return this.stopped;
  }

  /** Best effort, bounded by BACKEND_TIMEOUT and never retried: shutdown must not wait on it. */
  private async sayOffline(): Promise<void> {
    const req = this.profile.goingOffline(this.identity.workerId, new Date().toISOString());
    if (req === null || !this.registration.registered) return;
    try {
      await this.http.call(req, { operation: 'offline' });
      this.logger.info({ workerId: this.identity.workerId }, 'told the backend this worker is going offline (sessions stay assigned)');
    } catch (err) {
      this.logger.warn({ err }, 'could not tell the backend this worker is going offline; its heartbeat timeout will');
    }
  }

  /**
   * Operator action only (decommissioning this worker): tells the backend to detach its sessions.
   * Heartbeats and polling stop, so the worker does not register itself again.
   */
  async unregister(): Promise<void> {
    const req = this.profile.unregister(this.identity);
    if (req === null) throw new BackendError('BACKEND_UNSUPPORTED', `the ${this.profile.name} backend contract has no unregister call; remove the worker in the backend`);
    await this.http.call(req, { operation: 'unregister' });
    this.decommissioned = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    await this.heartbeats.stop();
    this.logger.warn({ workerId: this.identity.workerId }, 'worker unregistered from backend (operator action)');
  }

  status(): BackendStatus {
    return {
      mode: 'backend',
      profile: this.profile.name,
      workerId: this.identity.workerId,
      reachable: this.http.health.reachable,
      registered: this.registration.registered,
      degraded: this.degraded,
      assignments: { source: this.sync.source, count: this.sync.known.size, lastFetchAt: this.sync.lastFetchAt },
      lastHeartbeat: this.heartbeats.last,
      heartbeats: { sent: this.heartbeats.sent, failed: this.heartbeats.failed },
      recoveryReported: this.reporter.reported,
      lastError: this.http.health.lastError,
      registrationProblem: this.registration.problem,
      decommissioned: this.decommissioned,
    };
  }

  /** Resolves when a degraded start has caught up with the backend (at once when it never was degraded). */
  async caughtUp(): Promise<void> {
    await this.catchingUp;
  }

  private snapshot(): HeartbeatSnapshot {
    return {
      at: new Date().toISOString(),
      metrics: this.sampler.sample(),
      messageCount: this.messageCount,
      maxSessions: this.identity.maxSessions,
      version: this.identity.version,
      features: this.identity.features,
      sessions: this.deps.directory.list(),
      includeSessions: this.deps.config.includeSessionData,
    };
  }

  /** After a degraded start: register (with backoff), then fetch until it answers, then reconcile. */
  private async catchUp(signal: AbortSignal): Promise<void> {
    if (!this.registration.registered && !(await this.registration.untilRegistered(signal))) return;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const list = await this.sync.fetch(signal);
        await this.sync.apply(list);
        this.degraded = false;
        this.logger.info({ sessions: list.length }, 'backend reachable again: assignments reconciled');
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (errorCode(err) === 'BACKEND_WORKER_UNKNOWN') this.reRegister();
        this.logger.warn({ attempt, code: errorCode(err), message: errorMessage(err) }, 'assignments fetch failed; retrying');
        const max = Math.max(this.timing.assignmentRetryMinMs, this.deps.config.assignmentPollInterval);
        if (!(await sleep(backoffDelay(attempt, { initialMs: this.timing.assignmentRetryMinMs, maxMs: max, jitter: EQUAL_JITTER }), signal))) return;
      }
    }
  }

  private schedulePoll(): void {
    if (this.abort.signal.aborted || this.decommissioned) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = null;
      // A timer callback cannot wait: track() handles a rejection and stop() waits for the poll.
      void this.track(this.poll().finally(() => this.schedulePoll()));
    }, this.deps.config.assignmentPollInterval);
    this.pollTimer.unref();
  }

  private async poll(): Promise<void> {
    // While catching up or re-registering, those loops own the fetch; a 404 from a backend that
    // does not know this worker yet must not be read as "no sessions".
    if (this.catchingUp && this.degraded) return;
    if (!this.registration.registered) return;
    try {
      const list = await this.sync.fetch(this.abort.signal);
      if (this.abort.signal.aborted) return;
      await this.sync.apply(list);
    } catch (err) {
      if (errorCode(err) === 'BACKEND_WORKER_UNKNOWN') this.reRegister();
      else if (!this.abort.signal.aborted) this.logger.warn({ code: errorCode(err), message: errorMessage(err) }, 'periodic assignments fetch failed');
    }
  }

  private reRegister(): void {
    if (this.reRegistering || this.decommissioned || this.abort.signal.aborted) return;
    this.logger.warn('backend does not know this worker any more: registering again');
    this.registration.reset();
    this.reRegistering = this.track(this.registration.untilRegistered(this.abort.signal)).then(() => {
      this.reRegistering = null;
    });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.background.add(p);
    void p.finally(() => this.background.delete(p)).catch(() => undefined);
    return p;
  }
}
