import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import type { ReadyMessage, SnapshotMessage, StorageSettings } from '../../src/ipc/protocol.js';
import type { SnapshotStore } from '../../src/storage/types.js';
import { minioSettings, startS3rver, type RunningS3rver } from '../support/s3/s3rver-server.js';
import type { HostHandle } from '../support/host-harness.js';
import { SimEnv } from './sim-env.js';

/**
 * The central promise, against the simulator and a real S3 server (s3rver, minio driver): pair once,
 * then every restart — from the local folder, from the remote snapshot with the folder gone, after
 * `kill -9` in the middle of key updates — connects again without a QR, and generations never go back.
 */
let env: SimEnv;
let s3: RunningS3rver;
let storage: StorageSettings;
let store: SnapshotStore;
let dataDir: string;
const SESSION = 'life-s3';
const PHONE = '15550001001';

beforeAll(async () => {
  env = await SimEnv.start();
  s3 = await startS3rver();
  storage = minioSettings(s3);
  store = env.store(storage);
  dataDir = await env.tempDir();
});

afterAll(async () => {
  await env?.close();
  await s3?.close();
});

function run(): HostHandle {
  return env.host(SESSION, dataDir, { storage });
}

const generations: number[] = [];
function record(h: HostHandle): void {
  for (const s of h.of('snapshot')) if (s.trigger !== 'restore') generations.push(s.generation);
}

async function stop(h: HostHandle): Promise<void> {
  const res = await h.request({ type: 'stop' });
  expect(res.ok).toBe(true);
  expect(await h.waitExit()).toEqual({ code: EXIT.STOPPED, signal: null });
  record(h);
}

describe('auth survives restarts (simulator + S3)', () => {
  it('pairs by QR and connects; the snapshot reaches S3; stop keeps the device', async () => {
    const h = run();
    await env.pair(h, PHONE);
    const connected = h.statuses().find((s) => s.status === 'connected');
    expect(connected?.phoneNumber).toBe(PHONE);
    const snap = await h.waitFor((m): m is SnapshotMessage => m.type === 'snapshot' && m.trigger === 'connected');
    expect(await store.headGeneration(SESSION)).toBeGreaterThanOrEqual(snap.generation);
    await stop(h);
    expect(h.statuses().at(-1)?.status).toBe('disconnected');
    // stop is not a logout: WhatsApp (the simulator) still knows the device.
    expect(env.sim.devices()).toEqual(expect.arrayContaining([expect.objectContaining({ phone: PHONE, connected: false })]));
  });

  it('restarts from the local folder: recovering → connected, no QR; a login that changes nothing publishes nothing', async () => {
    const qrsBefore = env.sim.qrCount();
    const head = await store.headGeneration(SESSION);
    const h = run();
    const ready = await h.waitFor((m): m is ReadyMessage => m.type === 'ready');
    expect(ready.restoredFrom).toBe('local');
    expect(ready.generation).toBe(head);
    await h.waitStatus('connected');
    expect(h.statuses().map((s) => s.status)).toContain('recovering');
    expect(h.of('qr')).toHaveLength(0);
    // Baileys rewrites its `me`, device list and LID mapping on every login, byte for byte the same
    // (issue 15): no new generation, so no upload at `connected` nor at stop.
    await stop(h);
    expect(h.of('snapshot')).toEqual([]);
    expect(await store.headGeneration(SESSION)).toBe(head);
    expect(env.sim.qrCount()).toBe(qrsBefore);
  });

  it('with the local folder deleted, restores from the remote snapshot: connected, no QR', async () => {
    await rm(join(dataDir, 'sessions', SESSION), { recursive: true, force: true });
    const head = await store.headGeneration(SESSION);
    const h = run();
    const ready = await h.waitFor((m): m is ReadyMessage => m.type === 'ready');
    expect(ready.restoredFrom).toBe('remote');
    expect(ready.generation).toBe(head);
    await h.waitStatus('connected');
    expect(h.of('qr')).toHaveLength(0);
    expect(existsSync(join(dataDir, 'sessions', SESSION, 'creds.json'))).toBe(true);
    await stop(h);
  });

  it('a corrupt local folder with a higher label never wins over the good remote snapshot', async () => {
    const folder = join(dataDir, 'sessions', SESSION);
    const head = await store.headGeneration(SESSION);
    await writeFile(join(folder, 'creds.json'), '{"noiseKey": torn');
    await writeFile(join(folder, 'generation.json'), JSON.stringify({ generation: 999 }));
    const h = run();
    const ready = await h.waitFor((m): m is ReadyMessage => m.type === 'ready');
    expect(ready).toMatchObject({ restoredFrom: 'remote', generation: head });
    await h.waitStatus('connected');
    expect(h.of('qr')).toHaveLength(0);
    // A new contact writes a new Signal session: an unsaved change the stop must publish.
    await env.sim.deliverText('15557770900', PHONE, 'just before stop');
    await h.waitFor((m) => m.type === 'message-in', 10_000);
    await stop(h);
    const flushed = h.of('snapshot').filter((m) => m.trigger === 'stop');
    expect(flushed).toHaveLength(1);
    expect(flushed[0]!.generation).toBeGreaterThan(head!);
    expect(await store.headGeneration(SESSION)).toBe(flushed[0]!.generation);
  });

  it('kill -9 in the middle of key updates: next start connects without QR, generations never go backwards', async () => {
    for (let round = 0; round < 2; round++) {
      const h = run();
      const ready = await h.waitFor((m): m is ReadyMessage => m.type === 'ready');
      expect(ready.generation).toBeGreaterThanOrEqual(Math.max(0, ...generations));
      await h.waitStatus('connected');
      // New contacts write new Signal sessions; with those writes and the `connected` upload in flight, kill -9.
      for (let c = 0; c < 3; c++) void env.sim.deliverText(`1555777${round}${c}00`, PHONE, `burst ${c}`).catch(() => undefined);
      await h.waitFor((m) => m.type === 'message-in', 10_000);
      h.child.kill('SIGKILL');
      expect((await h.waitExit()).signal).toBe('SIGKILL');
      record(h);
    }
    const h = run();
    const ready = await h.waitFor((m): m is ReadyMessage => m.type === 'ready');
    expect(ready.generation).toBeGreaterThanOrEqual(Math.max(...generations));
    await h.waitStatus('connected');
    expect(h.of('qr')).toHaveLength(0);
    await stop(h);
    expect(generations.length).toBeGreaterThanOrEqual(3);
    // Every published generation is higher than the one before it, across all the runs.
    for (let i = 1; i < generations.length; i++) expect(generations[i]).toBeGreaterThan(generations[i - 1]!);
    expect(await store.headGeneration(SESSION)).toBe(Math.max(...generations));
  });
});
