import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../src/config/index.js';
import { WorkerError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { SessionStatus } from '../src/status.js';
import { workerVersion } from '../src/version.js';
import { resolveWorkerId } from '../src/worker-id.js';
import { createBackendIntegration, defaultEndpoint, type BackendIntegration } from './backend/index.js';
import { buildHealthReport, summarizeRecovery, type HealthReport, type RecoverySummary, type WorkerMode } from './health.js';
import { sessionCommands } from './http/routes/api-deps.js';
import { IdempotentSends } from './sends/idempotent-sends.js';
import { MediaStore } from '../src/media/media-store.js';
import { apiRoutes } from './http/routes/index.js';
import { StorageProbe } from './http/routes/storage-probe.js';
import { QrRenderer } from './qr/qr-renderer.js';
import { printQrCodes, shouldPrintQr } from './qr/terminal-qr.js';
import { createSnapshotStore } from '../src/storage/index.js';
import { encryptionKeysFromConfig, storageSettingsFromConfig } from '../src/storage/settings.js';
import { buildHttpServer } from './http/server.js';
import { limitSends, SendRateLimiter } from './http/send-rate-limit.js';
import { attachSessionMetrics, backendObserver, createMetrics, registerMetricsRoute, type Metrics } from './metrics/index.js';
import type { RecoveryResult } from '../src/session-view.js';
import { Disposers } from './disposers.js';
import { SessionManager } from './sessions.js';
import { createOutbox, type EventOutbox } from './outbox/index.js';

export interface SupervisorOptions {
  /** The session statuses /health summarises (tests of that summary); default: the registry's sessions. */
  readonly sessionStatuses?: () => Iterable<SessionStatus>;
  /** Clock, for tests of uptime. */
  readonly now?: () => number;
  /** Compiled session host entry; default dist/session-host/main.js (tests pass fixture hosts). */
  readonly hostModulePath?: string;
}

/** A running supervisor. `close()` is idempotent: every caller gets the same promise. */
export interface Supervisor {
  readonly workerId: string;
  readonly dataDir: string;
  readonly mode: WorkerMode;
  readonly version: string;
  /** Base URL the HTTP server listens on, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
  readonly port: number;
  readonly http: FastifyInstance;
  /** Session registry, recovery runner and host sampling. */
  readonly sessions: SessionManager;
  /** This start's recovery results (standalone: from DATA_DIR/registry.json; backend: the assigned sessions). */
  readonly recovered: Promise<RecoveryResult[]>;
  /** The backend client; null in standalone mode (no backend call is ever made). */
  readonly backend: BackendIntegration | null;
  /** What `GET /metrics` serves. */
  readonly metrics: Metrics;
  /** The durable event outbox and live event feed. */
  readonly outbox: EventOutbox;
  health(): HealthReport;
  /** Graceful: stop taking session commands, stop every host in parallel (flush, never logout), close HTTP. */
  close(): Promise<void>;
  /** SIGKILL every session host now (second signal). Synchronous. */
  kill(): void;
}

/**
 * The composition root of the supervisor process: prepares DATA_DIR, settles the worker id, creates
 * every part (metrics, storage, session manager, backend client, outbox, HTTP server) and starts
 * listening, then recovery. `supervisor/main.ts` calls it after loading config; tests call it
 * in-process. Each part registers its disposal as it is created (`Disposers`): `close()` runs them
 * in reverse order, and a start that fails half-way runs those registered so far, then throws.
 */
export async function startSupervisor(config: Config, logger: Logger, options: SupervisorOptions = {}): Promise<Supervisor> {
  const dataDir = resolve(config.dataDir);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (err) {
    throw new WorkerError('DATA_DIR_UNAVAILABLE', `cannot create DATA_DIR ${dataDir}: ${(err as Error).message}`, { cause: err, details: { dataDir } });
  }
  const disposers = new Disposers((part, err) => logger.error({ err, part }, 'supervisor part failed to stop'));
  try {
    return await compose(config, logger, options, dataDir, disposers);
  } catch (err) {
    // Failures are logged by the disposers; the caller needs the start's own error.
    await disposers.dispose().catch(() => undefined);
    throw err;
  }
}

async function compose(config: Config, logger: Logger, options: SupervisorOptions, dataDir: string, disposers: Disposers): Promise<Supervisor> {
  const now = options.now ?? Date.now;
  const startedAtMs = now();
  const { workerId, source } = await resolveWorkerId(dataDir, config.workerId);
  const version = workerVersion(config.workerVersion);
  const mode: WorkerMode = config.backendUrl === undefined ? 'standalone' : 'backend';
  const metrics = createMetrics({ perSession: config.metricsPerSession, workerId, version });
  disposers.defer('metrics', () => metrics.close());

  // The supervisor's one snapshot store (its storage reachability for /ready and /health); its
  // operations are counted like the hosts'.
  const storage = storageSettingsFromConfig({ ...config, dataDir });
  const store = createSnapshotStore(storage, { workerId, encryptionKeys: encryptionKeysFromConfig(config), timeoutMs: config.storageTimeout, logger, onOperation: (op) => metrics.storageOp(op) });
  disposers.defer('snapshot store', () => store.close());
  const storageProbe = new StorageProbe({ driver: store.driver, ping: () => store.ping() });
  const probeTimer = setInterval(() => void storageProbe.check(), 10_000).unref();
  disposers.defer('storage probe', () => clearInterval(probeTimer));
  void storageProbe.check(); // never rejects: a failed ping is recorded as reachable: false
  // QR images on a piscina pool; incoming media the hosts stored (same driver and bucket, under media/).
  const qr = new QrRenderer();
  disposers.defer('QR renderer', () => qr.close());
  const mediaStore = MediaStore.create(storage, { timeoutMs: config.storageTimeout });
  disposers.defer('media store', () => mediaStore.close());
  // Sends go through the session manager created below (called only once the API serves).
  const sends = new IdempotentSends(dataDir, (id, to, message, messageId) => sessions.registry.send(id, to, message, messageId), logger);
  disposers.defer('idempotency records', () => sends.close());
  // The HTTP server is built last (its routes need every part) but closes after the hosts have
  // stopped: in-flight requests end with them, and /health answers `shutting_down` meanwhile.
  let http: FastifyInstance | undefined;
  disposers.defer('HTTP server', () => http?.close());

  const sessions = new SessionManager(config, { workerId, logger, dataDir, hostModulePath: options.hostModulePath, metrics });
  // Before recovery starts, or its first results are not counted; detached once every host has stopped.
  disposers.defer('session metrics', attachSessionMetrics(metrics, sessions));
  // Graceful: every host stops in parallel (flush, no logout), spares included.
  disposers.defer('sessions', () => sessions.shutdown());
  // Null in standalone mode. It subscribes to session events in `start()`, before recovery runs;
  // e.g. a worker id the backend's contract refuses fails start-up here with that error's code.
  const backend = createBackendIntegration({ config, logger, directory: sessions.directory(), workerId, endpoint: defaultEndpoint(config), observer: backendObserver(metrics) });
  // Heartbeats and polling stop, never an unregister (the backend keeps the sessions assigned for the next start).
  if (backend) disposers.defer('backend client', () => backend.stop());
  // The outbox subscribes before recovery starts: every event of this start is persisted.
  let outbox: EventOutbox;
  try {
    outbox = createOutbox({ config, dataDir, logger, workerId, version, backend, metrics });
  } catch (err) {
    throw new WorkerError('OUTBOX_UNAVAILABLE', `cannot open the event outbox in ${dataDir}: ${(err as Error).message}`, { cause: err, details: { dataDir } });
  }
  let listening = false;
  // At a stop, pending events get a short flush while the backend still hears from us (what is
  // left stays in DATA_DIR/outbox.sqlite for the next start); a failed start delivers nothing more.
  disposers.defer('outbox', () => outbox.close(listening ? backend?.eventRetry().flushTimeoutMs ?? Math.min(5000, config.backendTimeout) : 0));
  disposers.defer('outbox feed', outbox.attach((l) => sessions.registry.subscribe(l)));
  // Hosts receipt an incoming message to WhatsApp only after this commit (issues 13 §8, 14).
  sessions.registry.admitIncomingWith((sessionId, messages) => outbox.admitIncoming(sessionId, messages));
  outbox.start();
  const sessionStatuses = options.sessionStatuses ?? ((): Iterable<SessionStatus> => sessions.registry.list().map((v) => v.status));
  let closing = false;
  let recoveryResult: RecoverySummary | undefined;

  const health = (): HealthReport =>
    buildHealthReport({
      closing,
      workerId,
      version,
      mode,
      backendProfile: config.backendProfile,
      maxSessions: config.maxSessions,
      startedAtMs,
      nowMs: now(),
      sessionStatuses: sessionStatuses(),
      memory: process.memoryUsage(),
      pid: process.pid,
      nodeVersion: process.version,
      recovery: sessions.recovery.progress(),
      ...(recoveryResult ? { recoveryResult } : {}),
      ...(backend ? { backend: backend.status() } : {}),
      events: outbox.stats(),
      storage: storageProbe.status(),
      spares: sessions.spares.status(),
    });

  const api = apiRoutes({
    logger,
    sessions: limitSends(sessionCommands(sessions.registry, sends), new SendRateLimiter({ perMinute: config.sendRateLimitPerMinute, burst: config.sendRateLimitBurst })),
    maxSessions: config.maxSessions,
    authToken: config.workerAuthToken,
    host: config.host,
    qr,
    storage: storageProbe,
    recoveryFinished: () => ['done', 'disabled'].includes(sessions.recovery.progress().phase),
    outbox,
    closing: () => closing,
    version,
    mediaAllowPrivateUrls: config.mediaAllowPrivateUrls,
    media: mediaStore,
  });
  const server = await buildHttpServer({ logger, health }, [...api, (app) => registerMetricsRoute(app, { metrics, token: config.metricsToken })]);
  http = server;
  try {
    await server.listen({ host: config.host, port: config.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'LISTEN_FAILED';
    throw new WorkerError('HTTP_LISTEN_FAILED', `cannot listen on ${config.host}:${config.port}: ${code}`, { cause: err, details: { host: config.host, port: config.port } });
  }
  listening = true;
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  logger.info({ workerId, workerIdSource: source, mode, version, dataDir, host: config.host, port }, 'supervisor started');
  // Only once the HTTP server listens: a failed start forks no spare host.
  sessions.spares.start();

  // Start-up order: HTTP listening → (backend: registration and assignments) → recovery → ready.
  // Standalone recovers what DATA_DIR/registry.json lists; in backend mode the backend client
  // passes its assigned sessions to `sessions.recoverAssigned`. Recovery runs in the background
  // so /health reports its progress and a signal during recovery still shuts down cleanly.
  const recovered: Promise<RecoveryResult[]> = (backend ? recoverFromBackend(backend) : sessions.recoverStandalone()).catch((err: unknown) => {
    logger.error({ err }, 'session recovery failed');
    return [];
  });
  void recovered.then((results) => (recoveryResult = summarizeRecovery(results))); // recovered never rejects (caught above)
  // Standalone at a terminal: QR codes are also printed, so an operator can link without the API.
  if (shouldPrintQr({ standalone: mode === 'standalone', isTTY: process.stdout.isTTY })) {
    disposers.defer('terminal QR codes', printQrCodes({ renderer: qr, subscribe: (l) => sessions.registry.subscribe(l), write: (t) => process.stdout.write(t), logger }));
  }

  /**
   * Backend start: register and fetch assignments (the cached list when the backend does not
   * answer), recover them, send the one recovery report of this start, then heartbeat. The
   * report is not awaited: after a degraded start it waits for registration in the background.
   */
  async function recoverFromBackend(client: BackendIntegration): Promise<RecoveryResult[]> {
    const specs = await client.start();
    if (closing) return [];
    const results = await sessions.recoverAssigned(specs);
    // A shutdown during recovery cut it short: the next start recovers and reports instead.
    if (closing) return results;
    // In the background: heartbeats start now. It never rejects; an undelivered report is logged there.
    if (config.enableSessionRecovery) void client.reportRecovery(results);
    client.startHeartbeats();
    return results;
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      logger.info('supervisor stopping');
      await disposers.dispose();
      logger.info('supervisor stopped');
    })();
    return closed;
  };

  const kill = (): void => sessions.kill();

  return { workerId, dataDir, mode, version, url, port, http: server, sessions, recovered, backend, metrics, outbox, health, close, kill };
}
