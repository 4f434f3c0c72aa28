/**
 * Shared setup for session-host tests against the WhatsApp simulator: one simulator, temp data
 * folders, hosts forked with the simulator's trust preload, and a pairing helper.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostInit, QrMessage, StorageSettings } from '../../src/ipc/protocol.js';
import { createSnapshotStore } from '../../src/storage/index.js';
import type { SnapshotStore } from '../../src/storage/types.js';
import { startSimulator, type WaSim } from '../wa-sim/index.js';
import { buildOnce, startHost, type HostHandle } from '../support/host-harness.js';

export class SimEnv {
  private hosts: HostHandle[] = [];
  private dirs: string[] = [];
  private constructor(readonly sim: WaSim) {}

  static async start(): Promise<SimEnv> {
    buildOnce();
    return new SimEnv(await startSimulator());
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

  async cleanupHosts(): Promise<void> {
    await Promise.all(this.hosts.splice(0).map((h) => h.dispose()));
  }

  async close(): Promise<void> {
    await this.cleanupHosts();
    await this.sim.close();
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

export function localStorageSettings(dataDir: string): StorageSettings {
  return { driver: 'local', dataDir };
}
