/**
 * Shared setup for session-host tests against the WhatsApp simulator: one simulator, temp data
 * folders, hosts forked with the simulator's trust preload, and a pairing helper.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { HostInit, QrMessage, SnapshotMessage, StorageSettings } from '../../src/ipc/protocol.js';
import { createSnapshotStore } from '../../src/storage/index.js';
import type { SnapshotStore } from '../../src/storage/types.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { buildOnce, startHost, type HostHandle } from '../support/host-harness.js';

/**
 * The usual file setup: one simulator for the whole file (started before all tests, closed after
 * them) and every host a test started disposed after that test. Use the env inside tests and hooks.
 */
export function useSimEnv(): SimEnv {
  const env = new SimEnv();
  beforeAll(() => env.open());
  afterEach(() => env.cleanupHosts());
  afterAll(() => env.close());
  return env;
}

export class SimEnv {
  private hosts: HostHandle[] = [];
  private dirs: string[] = [];
  private simulator: WaSim | undefined;
  private sessions = 0;

  /** A started env for files that keep hosts across tests (they call `close` themselves). */
  static async start(): Promise<SimEnv> {
    const env = new SimEnv();
    await env.open();
    return env;
  }

  async open(): Promise<void> {
    buildOnce();
    this.simulator = await startSimulator();
  }

  get sim(): WaSim {
    if (!this.simulator) throw new Error('SimEnv: the simulator is not started yet (use the env inside tests and hooks)');
    return this.simulator;
  }

  async tempDir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'wa-host-sim-'));
    this.dirs.push(d);
    return d;
  }

  host(sessionId: string, dataDir: string, init: Partial<HostInit> = {}): HostHandle {
    return this.hostWithEnv(sessionId, dataDir, {}, init);
  }

  /** A host with extra environment on top of the simulator's (e.g. another trusted root). */
  hostWithEnv(sessionId: string, dataDir: string, extraEnv: Record<string, string>, init: Partial<HostInit> = {}): HostHandle {
    const h = startHost({
      sessionId,
      dataDir,
      execArgv: ['--import', this.sim.preloadPath],
      env: { ...this.sim.childEnv(), ...extraEnv },
      init: { waWebsocketUrl: this.sim.url, ...init },
    });
    this.hosts.push(h);
    return h;
  }

  store(settings: StorageSettings): SnapshotStore {
    return createSnapshotStore(settings, { workerId: 'test-inspector', encryptionKeys: [], timeoutMs: 5_000 });
  }

  /** Shows the host's QR to the simulator as the phone `phone` and waits for `connected`. */
  async pair(h: HostHandle, phone: string): Promise<void> {
    const qr = await h.waitFor((m): m is QrMessage => m.type === 'qr');
    await this.sim.scan(qr.qr, { phone });
    await h.waitStatus('connected');
  }

  /**
   * A new session `<prefix>-<n>` on phone `phoneBase + n` (n counts this env's sessions), paired,
   * connected, and its `connected` upload done (what deletion tests check is gone afterwards).
   */
  async paired(prefix: string, phoneBase: number, init: Partial<HostInit> = {}): Promise<{ h: HostHandle; sessionId: string; phone: string; dataDir: string }> {
    const n = ++this.sessions;
    const sessionId = `${prefix}-${n}`;
    const phone = String(phoneBase + n);
    const dataDir = await this.tempDir();
    const h = this.host(sessionId, dataDir, init);
    await this.pair(h, phone);
    await h.waitFor((m): m is SnapshotMessage => m.type === 'snapshot');
    return { h, sessionId, phone, dataDir };
  }

  async cleanupHosts(): Promise<void> {
    await Promise.all(this.hosts.splice(0).map((h) => h.dispose()));
  }

  async close(): Promise<void> {
    await this.cleanupHosts();
    await this.simulator?.close();
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

export function localStorageSettings(dataDir: string): StorageSettings {
  return { driver: 'local', dataDir };
}
