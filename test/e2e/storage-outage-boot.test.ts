/**
 * Issue 13 §2: a storage outage while a worker boots must not fail its sessions for good. Three
 * sessions are paired through the backend and the worker stops (snapshots in S3). Then the worker
 * starts again with an empty DATA_DIR while the S3 server refuses connections (a TCP front,
 * support/s3/fault-proxy.ts, in front of the real s3rver): every session shows `recovering` with
 * reason `storage_unavailable` in the API, in `/metrics` and in the backend's status events, and
 * never `failed`, however many boots it takes. The S3 server comes back: every session ends
 * `connected` with its phone number, without a QR and without anyone touching the worker.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valueOf } from '../metrics/exposition.js';
import { FaultProxy } from '../support/s3/fault-proxy.js';
import { api, createThroughBackend, makeSessions, statusEvents, type E2ESession } from './support/sessions.js';
import { startWorld, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

let world: World;
let sessions: E2ESession[];
let proxy: FaultProxy;
let qrRounds = 0;

beforeAll(async () => {
  world = await startWorld('so');
  sessions = makeSessions(world, 'so', 3, 15550303001);
  proxy = new FaultProxy({ host: world.s3.host, port: world.s3.port });
  await proxy.start();
  const first = await world.startWorker({ env: { MINIO_PORT: String(proxy.port) } });
  await world.waitCall((c) => c.route === 'register' && c.status === 200, 30_000);
  await createThroughBackend(world, [], sessions, 60_000);
  await first.connected(sessions.length, 30_000);
  expect(await first.stop()).toEqual({ code: 0, signal: null });
  for (const s of sessions) expect(await world.store.headGeneration(s.sessionId)).toBeGreaterThanOrEqual(1);
  qrRounds = world.sim.qrCount();
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await world?.close(sessions?.map((s) => s.sessionId) ?? []);
});

async function viewOf(w: E2EWorker, s: E2ESession): Promise<{ status: string; reason: string | null; phoneNumber: string | null }> {
  const r = await api(w, 'GET', `/api/sessions/${s.sessionId}`);
  return r.body?.data ?? { status: `HTTP ${r.status}`, reason: null, phoneNumber: null };
}

describe('storage down while a worker boots with an empty DATA_DIR', () => {
  it('sessions wait as recovering (storage_unavailable), then all connect without a QR once storage is back', async () => {
    for (const entry of readdirSync(world.dataDir)) rmSync(join(world.dataDir, entry), { recursive: true, force: true });
    await proxy.kill();
    const since = Date.now();
    const w = await world.startWorker({
      env: { MINIO_PORT: String(proxy.port), STORAGE_TIMEOUT: '2000', RESTART_BACKOFF_INITIAL_MS: '500', RESTART_BACKOFF_MAX_MS: '3000', RESTART_INTENSITY: '2', RECOVERY_TIMEOUT: '20000' },
    });

    // Every session shows why it waits, in the API.
    await w.until(() => true, 30_000, 'worker up');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const views = await Promise.all(sessions.map((s) => viewOf(w, s)));
      if (views.every((v) => v.status === 'recovering' && v.reason === 'storage_unavailable')) break;
      expect(views.map((v) => v.status)).not.toContain('failed');
      if (Date.now() > deadline) throw new Error(`never all recovering/storage_unavailable: ${JSON.stringify(views)}\n${w.tail()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Still waiting past RECOVERY_TIMEOUT and past RESTART_INTENSITY (2) boots of each session: never failed.
    await w.until((h) => h.recovery?.phase === 'done', 30_000, 'recovery report done');
    const boots = sessions.length * 3;
    let metrics = '';
    for (const end = Date.now() + 90_000; ; ) {
      metrics = await (await fetch(`${w.url}/metrics`)).text();
      if ((valueOf(metrics, 'wa_host_exits_total', { exit_reason: 'storage_unavailable' }) ?? 0) >= boots) break;
      if (Date.now() > end) throw new Error(`fewer than ${boots} failed boots in 90 s\n${w.tail()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const s of sessions) expect(await viewOf(w, s)).toMatchObject({ status: 'recovering', reason: 'storage_unavailable' });
    metrics = await (await fetch(`${w.url}/metrics`)).text();
    expect(valueOf(metrics, 'wa_session_reasons', { status: 'recovering', reason: 'storage_unavailable' })).toBe(sessions.length);
    expect(valueOf(metrics, 'wa_crash_loop_quarantines_total')).toBe(0);
    // The backend hears it too: a `recovering` event with the reason, a report that says why, no `failed`.
    for (const s of sessions) {
      const events = statusEvents(world, s.sessionId, since);
      expect(events.some((e) => e.status === 'recovering' && e.reason === 'storage_unavailable')).toBe(true);
      expect(events.filter((e) => e.status === 'failed')).toEqual([]);
    }
    const report = await world.waitCall((c) => c.route === 'recovery' && c.at >= since, 10_000);
    const failed = (report.body as { failedSessions: { sessionId: string; reason: string; status: string }[] }).failedSessions;
    for (const s of sessions) expect(failed).toContainEqual(expect.objectContaining({ sessionId: s.sessionId, reason: 'storage_unavailable', status: 'recovering' }));

    // Storage returns: no operator action, no QR.
    await proxy.revive();
    await w.connected(sessions.length, 60_000);
    for (const s of sessions) expect(await viewOf(w, s)).toMatchObject({ status: 'connected', reason: null, phoneNumber: s.phone });
    expect(world.sim.qrCount()).toBe(qrRounds);
    expect(world.backend.invalidCalls()).toEqual([]);
    console.log(`[e2e] storage outage at boot: all ${sessions.length} connected ${Date.now() - since} ms after start`);
  }, 240_000);
});
