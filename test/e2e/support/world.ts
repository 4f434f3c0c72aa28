/**
 * The e2e world: everything around the worker under test, all real and all on 127.0.0.1 — the
 * WhatsApp simulator, an S3 server (s3rver) holding the auth snapshots, the fake control-plane
 * backend (seed profile, strict body validation) and a temporary DATA_DIR. Each test file builds
 * its own world, so files can run in parallel without sharing sessions, buckets or worker ids.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSnapshotStore, type ObjectSnapshotStore } from '../../../src/storage/index.js';
import { FakeBackend, type Profile, type RecordedCall } from '../../fake-backend/server.js';
import type { Realism } from '../../fake-backend/whatsam-realism.js';
import { minioSettings, startS3rver, type RunningS3rver } from '../../support/s3/s3rver-server.js';
import { startSimulator, type WaSim } from '../../wa-sim/index.js';
import { hostPidsOf } from '../../supervisor/support/processes.js';
import { E2EWorker, type WorkerStartOptions } from './worker.js';
import { workerEnv } from './worker-env.js';

export const TOKEN = 'e2e-worker-token';

export interface World {
  readonly tag: string;
  readonly sim: WaSim;
  readonly s3: RunningS3rver;
  readonly bucket: string;
  readonly backend: FakeBackend;
  readonly dataDir: string;
  readonly workerId: string;
  /** Reads and deletes the remote snapshots the hosts write, as an operator's tool would. */
  readonly store: ObjectSnapshotStore;
  /** Starts the compiled supervisor as its own process against this world. */
  startWorker(options?: WorkerStartOptions): Promise<E2EWorker>;
  /** `backend.waitFor`, with the newest worker's log tail in the failure message. */
  waitCall(pred: (c: RecordedCall) => boolean, timeoutMs: number): Promise<RecordedCall>;
  /** Kills whatever is left (workers, hosts of `sessionIds`) and removes every temp folder. */
  close(sessionIds: readonly string[]): Promise<void>;
}

export interface WorldOptions {
  /** The backend contract (default seed); a whatsam world names its worker in whatsam's normal form. */
  profile?: Profile;
  /** whatsam: the real backend's behaviours to switch on in the fake (whatsam-realism.ts). */
  realism?: Realism;
}

export async function startWorld(name: string, options: WorldOptions = {}): Promise<World> {
  const profile = options.profile ?? 'seed';
  const tag = `${name}_${Math.random().toString(36).slice(2, 8)}`;
  const sim = await startSimulator();
  const s3 = await startS3rver();
  const backend = await FakeBackend.start({ profile, token: TOKEN, ...(options.realism ? { realism: options.realism } : {}) });
  const dataDir = mkdtempSync(join(tmpdir(), `wa-e2e-${name}-`));
  const workerId = profile === 'whatsam' ? `e2e-${tag}`.toLowerCase().replace(/[^a-z0-9]+/g, '-') : `e2e-${tag}`;
  const bucket = 'whatsapp-sessions';
  const store = createSnapshotStore(
    minioSettings(s3, { bucket }),
    { workerId: 'e2e-inspector', encryptionKeys: [], timeoutMs: 10_000 },
  );
  const workers: E2EWorker[] = [];
  return {
    tag,
    sim,
    s3,
    bucket,
    backend,
    dataDir,
    workerId,
    store,
    async startWorker(options = {}) {
      const w = await E2EWorker.start({
        execArgv: ['--import', sim.preloadPath],
        env: (port) =>
          workerEnv({
            dataDir,
            workerId,
            simEnv: sim.childEnv(),
            s3: { ...s3, bucket },
            backend: options.standalone ? undefined : { url: backend.url, token: TOKEN },
            extra: { WORKER_ENDPOINT: `http://127.0.0.1:${port}`, BACKEND_PROFILE: profile, ...options.env },
          }),
      });
      workers.push(w);
      return w;
    },
    async waitCall(pred, timeoutMs) {
      try {
        return await backend.waitFor(pred, timeoutMs);
      } catch (err) {
        const last = workers.at(-1);
        throw new Error(`${(err as Error).message}\n--- worker log tail ---\n${last?.tail() ?? '(no worker)'}`);
      }
    },
    async close(sessionIds) {
      for (const w of workers) w.forceKill();
      for (const id of sessionIds) for (const pid of hostPidsOf(id)) process.kill(pid, 'SIGKILL');
      await sim.close();
      await backend.close();
      await s3.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
