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
import { WorkerError } from '../../src/errors.js';
import { decommissioned, degraded, initialLifecycle, transition, type Lifecycle, type LifecycleEffect, type LifecycleEvent } from './lifecycle.js';
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
  private readonly logger: Logger;
  /** The one lifecycle state (supervisor/backend/lifecycle.ts); everything below is an I/O handle it steers. */
  private state: Lifecycle = initialLifecycle;
  private readonly abort = new AbortController();
  private readonly background = new Set<Promise<unknown>>();
  private unsubscribe: () => void = () => undefined;
  private pollTimer: NodeJS.Timeout | null = null;
  /** The catch-up loop of a degraded start (resolved at once when the start was not degraded). */
  private catchUpTask: Promise<void> = Promise.resolve();
  /** What unregister() and stop() wait for; set by their effects, shared with late callers. */
  private loopsEnded: Promise<void> = Promise.resolve();
  private shutDown: Promise<void> = Promise.resolve();
  private messageCount = 0;

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
    this.sync = new AssignmentSync({ ...common, workerId: deps.workerId, dataDir: config.dataDir, directory: deps.directory, onWorkerUnknown: () => this.dispatch({ type: 'worker-unknown' }) });
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
      onWorkerUnknown: () => this.dispatch({ type: 'worker-unknown' }),
      onResult: deps.observer ? (r) => deps.observer?.heartbeat(r) : undefined,
    });
  }

  /**
   * Call once the HTTP server listens. Registers (one bounded try), fetches the assignments, and
   * returns the sessions to recover. When the backend does not answer, returns the cached list
   * and keeps trying in the background; the answer, when it comes, is reconciled.
   */
  async start(): Promise<SessionSpec[]> {
    this.dispatch({ type: 'start' });
    const signal = this.abort.signal;
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
    const fromCache = list === null;
    list ??= (await this.sync.fromCache()) ?? [];
    await this.sync.adopt(list);
    this.dispatch({ type: 'start-settled', degraded: fromCache });
    return list.map((a) => ({ sessionId: a.sessionId, userId: a.userId, name: a.name }));
  }

  /** The one recovery report of this start; resolves true when the backend accepted it. */
  reportRecovery(results: readonly RecoveryResult[]): Promise<boolean> {
    return this.track(this.reporter.report(results, this.abort.signal));
  }

  startHeartbeats(): void {
    this.dispatch({ type: 'start-heartbeats' });
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
   * Idempotent: a late caller gets the same promise.
   */
  stop(): Promise<void> {
    this.dispatch({ type: 'stop' });
    return this.shutDown;
  }

  /**
   * Operator action only (decommissioning this worker): tells the backend to detach its sessions.
   * Heartbeats and polling stop, so the worker does not register itself again.
   */
  async unregister(): Promise<void> {
    const req = this.profile.unregister(this.identity);
    if (req === null) throw new BackendError('BACKEND_UNSUPPORTED', `the ${this.profile.name} backend contract has no unregister call; remove the worker in the backend`);
    await this.http.call(req, { operation: 'unregister' });
    this.dispatch({ type: 'unregistered' });
    await this.loopsEnded;
    this.logger.warn({ workerId: this.identity.workerId }, 'worker unregistered from backend (operator action)');
  }

  status(): BackendStatus {
    return {
      mode: 'backend',
      profile: this.profile.name,
      workerId: this.identity.workerId,
      reachable: this.http.health.reachable,
      registered: this.registration.registered,
      degraded: degraded(this.state),
      assignments: { source: this.sync.source, count: this.sync.followed, lastFetchAt: this.sync.lastFetchAt },
      lastHeartbeat: this.heartbeats.last,
      heartbeats: { sent: this.heartbeats.sent, failed: this.heartbeats.failed },
      recoveryReported: this.reporter.reported,
      lastError: this.http.health.lastError,
      registrationProblem: this.registration.problem,
      decommissioned: decommissioned(this.state),
    };
  }

  /** Resolves when a degraded start has caught up with the backend (at once when it never was degraded). */
  async caughtUp(): Promise<void> {
    await this.catchUpTask;
  }

  /** The one place the lifecycle changes: the pure transition decides, this applies its effects. */
  private dispatch(event: LifecycleEvent): void {
    const next = transition(this.state, event);
    this.state = next.state;
    for (const effect of next.effects) this.apply(effect);
  }

  private apply(effect: LifecycleEffect): void {
    switch (effect.type) {
      case 'refuse-start':
        throw new WorkerError('ALREADY_STARTED', 'backend integration already started (start() runs once per process)');
      case 'count-messages':
        // Events themselves go through the durable outbox (supervisor/outbox/), fed by app.ts.
        this.unsubscribe = this.deps.directory.onEvent((e) => {
          this.messageCount += countedMessages(e);
        });
        return;
      case 'catch-up':
        // Nobody waits here: start() answers from the cache now. track() handles a rejection, stop()
        // waits for it, caughtUp() exposes it; catchUp logs and retries its own failures.
        this.catchUpTask = this.track(this.catchUp(this.abort.signal));
        return;
      case 'schedule-poll':
        this.pollTimer = setTimeout(() => {
          this.pollTimer = null;
          this.dispatch({ type: 'poll-due', registered: this.registration.registered });
        }, this.deps.config.assignmentPollInterval);
        this.pollTimer.unref();
        return;
      case 'poll':
        // A timer's work: track() handles a rejection and stop() waits for the poll.
        void this.track(this.sync.refresh(this.abort.signal).finally(() => this.dispatch({ type: 'poll-done' })));
        return;
      case 'register-again':
        this.logger.warn('backend does not know this worker any more: registering again');
        this.registration.reset();
        // untilRegistered never rejects (it resolves false when stopped); stop() waits for it.
        void this.track(this.registration.untilRegistered(this.abort.signal).then(() => this.dispatch({ type: 're-registered' })));
        return;
      case 'start-heartbeats':
        this.heartbeats.start();
        return;
      case 'end-loops':
        this.cancelPoll();
        this.loopsEnded = this.heartbeats.stop();
        return;
      case 'shut-down':
        this.shutDown = this.shutDownNow();
        return;
    }
  }

  private async shutDownNow(): Promise<void> {
    this.unsubscribe();
    this.cancelPoll();
    this.abort.abort();
    await this.heartbeats.stop();
    await Promise.allSettled([...this.background]);
    await this.sayOffline();
  }

  private cancelPoll(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
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

  /** After a degraded start: register (with backoff), then follow the backend once it answers. */
  private async catchUp(signal: AbortSignal): Promise<void> {
    if (!this.registration.registered && !(await this.registration.untilRegistered(signal))) return;
    // A retry is at least as urgent as the periodic poll: its backoff never waits longer.
    const initialMs = this.timing.assignmentRetryMinMs;
    if (await this.sync.refreshUntilAnswered(signal, { initialMs, maxMs: Math.max(initialMs, this.deps.config.assignmentPollInterval) })) this.dispatch({ type: 'caught-up' });
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.background.add(p);
    void p.finally(() => this.background.delete(p)).catch(() => undefined);
    return p;
  }
}
