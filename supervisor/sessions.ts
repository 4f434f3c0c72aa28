import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../src/config/index.js';
import type { Logger } from '../src/logger.js';
import { isLogoutPending, markLogoutPending } from '../src/pending-logout.js';
import type { RecoveryResult, SessionSpec } from '../src/session-view.js';
import type { SessionDirectory } from './backend/contract.js';
import { DEFAULT_HOST_MODULE, hostInitFactory, hostSettingsFromConfig, policyFromConfig } from './host/host-settings.js';
import type { Metrics } from './metrics/registry.js';
import { HostResourceMonitor } from './host-resources.js';
import { defaultRecoveryConcurrency } from './recovery/concurrency.js';
import { RecoveryRunner, type RecoveryTarget } from './recovery/recovery-runner.js';
import { forkSpareHost } from './host/fork-host.js';
import { SparePool } from './host/spare-pool.js';
import { RegistryFile, type RegistryEntry } from './registry/registry-file.js';
import { SessionRegistry } from './registry/session-registry.js';
import { SessionSettingsFile } from './registry/session-settings.js';

export interface SessionManagerOptions {
  workerId: string;
  logger: Logger;
  /** Absolute DATA_DIR. */
  dataDir: string;
  /** Compiled session host entry; a fixture in tests. */
  hostModulePath?: string | undefined;
  /** The supervisor's metrics; every actor counts its host starts, exits, restarts and sends. */
  metrics?: Metrics | undefined;
}

/**
 * The supervisor's session side, wired from config: registry (one actor per session), recovery
 * runner, the standalone registry file, and the background per-host /proc sampler. `app.ts` composes it
 * with the HTTP server and the backend client.
 */
export class SessionManager {
  readonly registry: SessionRegistry;
  readonly recovery: RecoveryRunner;
  /** /proc figures of every host, sampled in the background (never on a scrape). */
  readonly hostResources: HostResourceMonitor;
  readonly standalone: boolean;
  /** Pre-booted hosts for the next session starts (HOST_SPARES; size 0 = none). */
  readonly spares: SparePool;
  private readonly log: Logger;
  private readonly config: Config;

  constructor(config: Config, private readonly options: SessionManagerOptions) {
    this.log = options.logger.child({ component: 'sessions' });
    this.standalone = config.backendUrl === undefined;
    // Hosts may run with another working directory's idea of "./data": hand them the absolute path.
    const cfg = Object.freeze({ ...config, dataDir: options.dataDir }) as Config;
    this.config = cfg;
    const makeInit = hostInitFactory(cfg, options.workerId);
    const host = hostSettingsFromConfig(cfg, options.hostModulePath ?? DEFAULT_HOST_MODULE, join(options.dataDir, 'compile-cache'));
    this.spares = new SparePool({ size: config.hostSpares, fork: () => forkSpareHost(host), logger: options.logger, stopTimeoutMs: config.hostStopTimeoutMs });
    this.registry = new SessionRegistry({
      maxSessions: config.maxSessions,
      policy: policyFromConfig(config),
      host,
      takeSpare: (): ChildProcess | undefined => this.spares.take(),
      // Each host gets its session's proxy (its own, else WA_PROXY_URL) at every start (issue 19 §2).
      makeInit: (id, isRecovery, opts) => makeInit(id, isRecovery, { ...opts, proxy: this.registry.proxyUrl(id) }),
      // Logouts are carried out by a host under the session lock (issue 13 §7); the supervisor
      // only records the request, so no crash or missing socket can lose it.
      markLogout: (id) => markLogoutPending(this.options.dataDir, id),
      logoutPending: (id) => isLogoutPending(this.options.dataDir, id),
      logger: this.log,
      file: this.standalone ? new RegistryFile(options.dataDir) : undefined,
      metrics: options.metrics,
      settings: new SessionSettingsFile(options.dataDir),
      defaultProxy: config.waProxyUrl,
    });
    this.hostResources = new HostResourceMonitor(() => this.registry.hostPids(), config.hostSampleIntervalMs);
    this.hostResources.start();
    this.recovery = new RecoveryRunner(
      {
        actorFor: (spec) => this.registry.ensure(spec, { start: false }),
        start: (spec) => void this.registry.ensure(spec, { isRecovery: true }),
        retry: (spec) => void this.registry.restart(spec.sessionId),
        publish: (e) => this.registry.publish(e),
      },
      { concurrency: config.recoveryConcurrency ?? defaultRecoveryConcurrency(availableParallelism()), timeoutMs: config.recoveryTimeout, maxAttempts: config.maxRecoveryAttempts, logger: this.log },
    );
  }

  /**
   * Standalone start: list every session of the registry file, then recover the ones the operator
   * wants running (unless ENABLE_SESSION_RECOVERY=false). Runs once; later calls get the same run.
   */
  async recoverStandalone(): Promise<RecoveryResult[]> {
    const entries = await this.registry.load();
    return this.recover(entries.map(targetOf));
  }

  /** Backend start: recover the assigned sessions. */
  recoverAssigned(specs: readonly SessionSpec[]): Promise<RecoveryResult[]> {
    return this.recover(specs.map((spec) => ({ spec })));
  }

  /** What the backend integration sees of the registry. */
  directory(): SessionDirectory {
    const registry = this.registry;
    return {
      list: () => registry.list(),
      ensure: async (spec) => {
        registry.ensure(spec, { isRecovery: true });
      },
      release: async (sessionId) => {
        if (registry.get(sessionId)) await registry.remove(sessionId);
      },
      onEvent: (listener) => registry.subscribe(listener),
    };
  }

  /** Graceful: every host stops in parallel (flush, no logout); ends in SIGKILL after the deadlines. */
  async shutdown(): Promise<void> {
    this.hostResources.stop();
    await Promise.all([this.spares.close(), this.registry.shutdown()]);
  }

  /** Second signal: SIGKILL every host now. Synchronous, so it works right before `process.exit`. */
  kill(): void {
    this.hostResources.stop();
    this.spares.kill();
    this.registry.killAll();
  }

  private recover(targets: RecoveryTarget[]): Promise<RecoveryResult[]> {
    if (!this.config.enableSessionRecovery) {
      this.recovery.disable();
      this.log.info({ sessions: targets.length }, 'session recovery disabled (ENABLE_SESSION_RECOVERY=false)');
      return Promise.resolve([]);
    }
    return this.recovery.run(targets);
  }

}

function targetOf(e: RegistryEntry): RecoveryTarget {
  const spec: SessionSpec = { sessionId: e.sessionId, userId: e.userId, name: e.name };
  if (e.ended) return { spec, skip: `ended ${e.ended.status}` };
  if (e.desired === 'stopped') return { spec, skip: 'disconnected on request' };
  return { spec };
}
