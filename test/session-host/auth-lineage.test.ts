import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import type { ReadyMessage, SnapshotMessage } from '../../src/ipc/protocol.js';
import type { Head, SnapshotStore } from '../../src/storage/types.js';
import type { HostHandle } from '../support/host-harness.js';
import { startS3rverBehindProxy, type S3rverBehindProxy } from '../support/s3/s3rver-server.js';
import { SimEnv } from './sim-env.js';

/**
 * Issue 13 §1, end to end: real session hosts (two "workers": their own DATA_DIR and worker id,
 * one shared S3 bucket on s3rver), the real Baileys client against the simulator.
 *
 * Worker A hosts session S up to some generation, S moves to worker B (A's folder stays), the user
 * logs out and pairs again on B (generations restart: a new pairing, a new lineage), then S comes
 * back to A. A's folder holds a dead pairing with a generation at least as high as B's new one:
 * "the higher generation wins" alone restores it, WhatsApp answers 401, and the 401 used to delete
 * every object of S — B's valid pairing included.
 */
let env: SimEnv;
let s3: S3rverBehindProxy;
let store: SnapshotStore;
let dirA: string;
let dirB: string;
let dirC: string;
const SESSION = 'lineage-s';
const PHONE = '15550001301';
const BUCKET = 'whatsapp-sessions';

beforeAll(async () => {
  env = await SimEnv.start();
  s3 = await startS3rverBehindProxy(BUCKET);
  store = env.store(s3.direct);
  [dirA, dirB, dirC] = [await env.tempDir(), await env.tempDir(), await env.tempDir()];
});

afterAll(async () => {
  await env?.close();
  await s3?.close();
});

function host(dataDir: string, workerId: string, storageTimeoutMs = 5_000): HostHandle {
  return env.host(SESSION, dataDir, { storage: s3.storage, workerId, storageTimeoutMs });
}

async function stop(h: HostHandle): Promise<void> {
  expect((await h.request({ type: 'stop' })).ok).toBe(true);
  expect(await h.waitExit()).toEqual({ code: EXIT.STOPPED, signal: null });
}

function label(dataDir: string): { generation: number; lineage?: string } {
  return JSON.parse(readFileSync(join(dataDir, 'sessions', SESSION, 'generation.json'), 'utf8'));
}

let headB: Head;
let generationsB: number[];

describe('a stale auth folder never beats a newer pairing, nor deletes it (§1)', () => {
  it('A pairs S and hosts it through a few generations; S moves to B, which logs out and pairs again', async () => {
    const a = host(dirA, 'worker-a');
    await env.pair(a, PHONE);
    await a.waitFor((m): m is SnapshotMessage => m.type === 'snapshot' && m.trigger === 'connected');
    // Traffic moves the Signal state on: more generations on A.
    for (const text of ['one', 'two']) {
      const from = a.messages.length;
      await env.sim.deliverText('15550009999', PHONE, text);
      await a.waitFor((m): m is SnapshotMessage => m.type === 'snapshot' && m.trigger === 'debounce', 20_000, from);
    }
    await stop(a);
    const labelA = label(dirA);

    // S moves to B: restored from A's snapshot (same pairing), no QR.
    const b = host(dirB, 'worker-b');
    expect((await b.waitFor((m): m is ReadyMessage => m.type === 'ready')).restoredFrom).toBe('remote');
    await b.waitStatus('connected');
    // The user logs out on B: the device is unlinked and every object of S deleted.
    expect((await b.request({ type: 'logout' })).ok).toBe(true);
    expect(await b.waitExit()).toEqual({ code: EXIT.LOGGED_OUT, signal: null });
    expect(await store.head(SESSION)).toBeNull();

    // ... and pairs again on B: a new pairing, generations from 1.
    const b2 = host(dirB, 'worker-b');
    await env.pair(b2, PHONE);
    await b2.waitFor((m): m is SnapshotMessage => m.type === 'snapshot' && m.trigger === 'connected');
    await stop(b2);
    headB = (await store.head(SESSION))!;
    generationsB = await store.listGenerations(SESSION);
    expect(headB.lineage).not.toBe(labelA.lineage);
    // The dangerous case: A's dead folder has a generation at least as high as B's live head.
    expect(labelA.generation).toBeGreaterThanOrEqual(headB.generation);
    console.log(`[lineage] A's folder: generation ${labelA.generation}; B's new pairing: head ${headB.generation}`);
    // Worker C once hosted S too: the same dead folder (for the 401 case below).
    cpSync(join(dirA, 'sessions', SESSION), join(dirC, 'sessions', SESSION), { recursive: true });
  }, 120_000);

  it('S comes back to A: connected without a QR, from B\'s pairing; A\'s folder moved aside; B\'s objects intact', async () => {
    const qrs = env.sim.qrCount();
    const a = host(dirA, 'worker-a');
    const ready = await a.waitFor((m): m is ReadyMessage => m.type === 'ready');
    await a.waitStatus('connected');
    expect(ready.restoredFrom).toBe('remote');
    expect(a.of('qr')).toHaveLength(0);
    expect(env.sim.qrCount()).toBe(qrs);
    expect(label(dirA).lineage).toBe(headB.lineage);
    const stale = readdirSync(join(dirA, 'stale'));
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatch(new RegExp(`^${SESSION}\\.[0-9a-f]{24}\\.g\\d+\\.\\d+$`));
    expect(existsSync(join(dirA, 'stale', stale[0]!, 'creds.json'))).toBe(true);
    await stop(a);
    const head = (await store.head(SESSION))!;
    expect(head.lineage).toBe(headB.lineage);
    expect(head.generation).toBeGreaterThanOrEqual(headB.generation);
    expect(await store.listGenerations(SESSION)).toEqual(expect.arrayContaining(generationsB.filter((g) => g >= head.generation - 2)));
  }, 60_000);

  it('a dead folder used while storage was unreachable gets 401 and deletes only its own pairing', async () => {
    const before = await store.listGenerations(SESSION);
    const headBefore = await store.head(SESSION);
    // The pointer read at C's start hangs (storage unreachable): C has to start from its local folder.
    const blip = s3.proxy.stall(`GET /${BUCKET}/sessions/${SESSION}/pointer.json`);
    const c = host(dirC, 'worker-c', 800);
    const ready = await c.waitFor((m): m is ReadyMessage => m.type === 'ready', 30_000);
    blip.release(); // storage is back before WhatsApp answers
    expect(ready.restoredFrom).toBe('local');
    await c.waitStatus('logged_out', 30_000);
    expect(await c.waitExit()).toEqual({ code: EXIT.LOGGED_OUT, signal: null });
    expect(existsSync(join(dirC, 'sessions', SESSION))).toBe(false);
    expect(await store.head(SESSION)).toEqual(headBefore);
    expect(await store.listGenerations(SESSION)).toEqual(before);

    // With storage up, C restores the live pairing: connected, no QR.
    const qrs = env.sim.qrCount();
    const c2 = host(dirC, 'worker-c');
    expect((await c2.waitFor((m): m is ReadyMessage => m.type === 'ready')).restoredFrom).toBe('remote');
    await c2.waitStatus('connected');
    expect(env.sim.qrCount()).toBe(qrs);
    await stop(c2);
  }, 90_000);
});
