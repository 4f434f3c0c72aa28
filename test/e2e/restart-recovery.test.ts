/**
 * The seed's testing plan, steps (1), (5) and (6), against the real compiled supervisor, real
 * session hosts running Baileys on the WhatsApp simulator, auth snapshots on a real S3 server
 * and the fake backend: create a session, scan, connected; heartbeats carry the session data;
 * SIGTERM keeps every session (no logout, auth kept locally and remotely); the next start brings
 * every session back connected with no QR and the same phone number — even one whose local auth
 * folder was lost meanwhile (restored from S3).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { createThroughBackend, makeSessions, statusEvents, type E2ESession } from './support/sessions.js';
import { startWorld, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

let world: World;
let sessions: E2ESession[];
let first: E2EWorker;
let second: E2EWorker;
let qrRoundsAfterPairing = 0;

beforeAll(async () => {
  world = await startWorld('rr');
  sessions = makeSessions(world, 'rr', 2, 15550101001);
  first = await world.startWorker();
  await world.waitCall((c) => c.route === 'register' && c.status === 200, 30_000);
}, 60_000);

afterAll(async () => {
  await world?.close(sessions?.map((s) => s.sessionId) ?? []);
});

describe('create → stop → start: recovered without QR', () => {
  it('(1) a session created through the backend shows a QR, is scanned and connects with its phone number', async () => {
    const t0 = Date.now();
    await createThroughBackend(world, [], sessions, 60_000);
    const h = await first.connected(sessions.length, 30_000);
    expect(h.sessions.total).toBe(sessions.length);
    qrRoundsAfterPairing = world.sim.qrCount();
    expect(qrRoundsAfterPairing).toBeGreaterThanOrEqual(sessions.length);
    for (const s of sessions) expect(hostPidsOf(s.sessionId)).toHaveLength(1);
    console.log(`[e2e] ${sessions.length} sessions created and paired in ${Date.now() - t0} ms`);
  }, 120_000);

  it('(5) heartbeats carry every session with status, phone number, user id and activity', async () => {
    const since = Date.now();
    const call = await world.waitCall((c) => {
      if (c.route !== 'heartbeat' || c.at < since) return false;
      const body = c.body as { sessions?: { status: string }[] };
      return body.sessions?.length === sessions.length && body.sessions.every((x) => x.status === 'connected');
    }, 15_000);
    expect(call.valid).toBe(true);
    expect(call.status).toBe(200);
    expect(call.path).toBe(`/api/admin/workers/${world.workerId}/heartbeat`);
    const body = call.body as Record<string, any>;
    for (const s of sessions) {
      expect(body.sessions).toContainEqual(
        expect.objectContaining({ sessionId: s.sessionId, status: 'connected', phoneNumber: s.phone, userId: s.userId, isRecovered: false }),
      );
    }
    expect(body.metrics.sessionCount).toBe(sessions.length);
    expect(body.recoveryStats).toMatchObject({ connected: sessions.length });
    // Every call the worker made so far was accepted by the strict validator.
    expect(world.backend.invalidCalls()).toEqual([]);
  }, 30_000);

  it('(6) SIGTERM shuts down gracefully and keeps every session: no logout, auth kept locally and in S3', async () => {
    const pids = sessions.map((s) => hostPidsOf(s.sessionId)[0]!);
    const since = Date.now();
    const t0 = Date.now();
    expect(await first.stop()).toEqual({ code: 0, signal: null });
    console.log(`[e2e] graceful shutdown of ${sessions.length} sessions took ${Date.now() - t0} ms`);
    for (const s of sessions) expect(hostPidsOf(s.sessionId)).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    // WhatsApp still knows every linked device: nothing was logged out.
    const devices = world.sim.devices();
    for (const s of sessions) expect(devices.some((d) => d.phone === s.phone)).toBe(true);
    for (const s of sessions) {
      expect(existsSync(join(world.dataDir, 'sessions', s.sessionId, 'creds.json'))).toBe(true);
      expect(await world.store.headGeneration(s.sessionId)).toBeGreaterThanOrEqual(1);
    }
    const ended = statusEvents(world, undefined, since).filter((e) => e.status === 'logged_out' || e.event === 'logged_out');
    expect(ended).toEqual([]);
    // An ordinary shutdown never unregisters (the seed profile has no such call at all).
    expect(world.backend.calls.filter((c) => c.route === null || c.route === 'unregister')).toEqual([]);
  }, 90_000);

  it('(1) the next start recovers every session: connected, no QR, same phone numbers, reported to the backend', async () => {
    // Lose one session's local auth folder while the worker is down: S3 must bring it back.
    rmSync(join(world.dataDir, 'sessions', sessions[1]!.sessionId), { recursive: true, force: true });
    const since = Date.now();
    second = await world.startWorker();
    const h = await second.until((x) => x.recovery?.phase === 'done' && (x.sessions?.byStatus?.connected ?? 0) === sessions.length, 90_000, 'every session recovered');
    const recoveredInMs = Date.now() - second.startedAt;
    console.log(`[e2e] worker start → ${sessions.length} sessions connected in ${recoveredInMs} ms`);
    expect(h.recovery).toMatchObject({ total: sessions.length, recovered: sessions.length, failed: 0 });
    expect(world.sim.qrCount()).toBe(qrRoundsAfterPairing);
    expect(statusEvents(world, undefined, since).filter((e) => e.event === 'qr_ready')).toEqual([]);

    const report = await world.waitCall((c) => c.route === 'recovery' && c.at >= since, 30_000);
    expect(report.valid).toBe(true);
    expect(report.workerIdHeader).toBe(world.workerId);
    const body = report.body as { recoveredSessions: { sessionId: string; status: string; phoneNumber: string | null }[]; failedSessions: unknown[] };
    expect(body.failedSessions).toEqual([]);
    expect(body.recoveredSessions).toHaveLength(sessions.length);
    for (const s of sessions) expect(body.recoveredSessions).toContainEqual({ sessionId: s.sessionId, status: 'connected', phoneNumber: s.phone });
    for (const s of sessions) {
      const evs = statusEvents(world, s.sessionId, since);
      expect(evs.some((e) => e.event === 'recovery_successful' && e.phoneNumber === s.phone)).toBe(true);
    }

    // Heartbeats now mark the sessions as recovered, with the same phone numbers.
    const hb = await world.waitCall((c) => c.route === 'heartbeat' && c.at >= since && (c.body as any).sessions?.every?.((x: any) => x.status === 'connected') && (c.body as any).sessions.length === sessions.length, 15_000);
    for (const s of sessions) expect((hb.body as any).sessions).toContainEqual(expect.objectContaining({ sessionId: s.sessionId, phoneNumber: s.phone, isRecovered: true }));
    // The lost local folder is back, restored from the remote snapshot.
    expect(existsSync(join(world.dataDir, 'sessions', sessions[1]!.sessionId, 'creds.json'))).toBe(true);
    expect(world.backend.invalidCalls()).toEqual([]);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  }, 150_000);
});
