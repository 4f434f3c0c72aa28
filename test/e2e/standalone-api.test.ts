/**
 * The same promise in standalone mode (no backend): sessions are created through the worker's
 * own HTTP API (design.md §9), paired by scanning the QR the API returns, used to send a message,
 * and recovered from DATA_DIR/registry.json after a restart — no QR, same phone number, the host's
 * pid visible in the API. Auth snapshots still go to the S3 server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { api, createThroughApi, makeSessions, type E2ESession } from './support/sessions.js';
import { startWorld, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

let world: World;
let sessions: E2ESession[];
let worker: E2EWorker;
let qrRounds = 0;

beforeAll(async () => {
  world = await startWorld('sa');
  sessions = makeSessions(world, 'sa', 2, 15550404001);
  worker = await world.startWorker({ standalone: true });
  await worker.until((h) => h.mode === 'standalone' && h.recovery?.phase === 'done', 30_000, 'an empty standalone worker');
}, 60_000);

afterAll(async () => {
  await world?.close(sessions?.map((s) => s.sessionId) ?? []);
});

async function view(s: E2ESession): Promise<Record<string, any>> {
  const r = await api(worker, 'GET', `/api/sessions/${s.sessionId}`);
  expect(r.status).toBe(200);
  expect(r.body.success).toBe(true);
  return r.body.data as Record<string, any>;
}

describe('standalone: HTTP API → scan → restart → recovered', () => {
  it('POST /api/sessions, scan the QR from GET /api/sessions/:id/qr: connected with the phone number and the host pid', async () => {
    await Promise.all(sessions.map((s) => createThroughApi(world, worker, s, 60_000)));
    qrRounds = world.sim.qrCount();
    for (const s of sessions) {
      const v = await view(s);
      expect(v).toMatchObject({ sessionId: s.sessionId, status: 'connected', phoneNumber: s.phone, userId: s.userId, isRecovered: false });
      expect(hostPidsOf(s.sessionId)).toEqual([v.pid]);
    }
    // POST is idempotent: the same id again does not start a second host.
    const again = await api(worker, 'POST', '/api/sessions', { sessionId: sessions[0]!.sessionId });
    expect(again.status).toBeLessThan(300);
    expect(hostPidsOf(sessions[0]!.sessionId)).toHaveLength(1);
  }, 120_000);

  it('sends a text message through a connected session (the simulated contact receives it)', async () => {
    const [from, to] = sessions as [E2ESession, E2ESession];
    const got = new Promise<{ from: string; to: string; text: string }>((resolve) => {
      const on = (m: { from: string; to: string; text: string }): void => {
        if (m.text === 'hello from e2e') {
          world.sim.off('message', on);
          resolve(m);
        }
      };
      world.sim.on('message', on);
    });
    const r = await api(worker, 'POST', `/api/sessions/${from.sessionId}/messages`, { to: to.phone, type: 'text', text: 'hello from e2e' });
    expect(r.status).toBeLessThan(300);
    expect(typeof r.body.data.messageId).toBe('string');
    const m = await got;
    expect(m.from).toContain(from.phone);
    expect(m.to).toContain(to.phone);
  }, 60_000);

  it('SIGTERM then start: every session recovered from the registry, connected, same phone, no QR', async () => {
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    worker = await world.startWorker({ standalone: true });
    await worker.until((h) => h.recovery?.phase === 'done' && (h.sessions?.byStatus?.connected ?? 0) === sessions.length, 90_000, 'every session recovered');
    console.log(`[e2e] standalone: worker start → ${sessions.length} sessions connected in ${Date.now() - worker.startedAt} ms`);
    expect(world.sim.qrCount()).toBe(qrRounds);
    const ready = await fetch(`${worker.url}/ready`);
    expect(ready.status).toBe(200);
    for (const s of sessions) {
      const v = await view(s);
      expect(v).toMatchObject({ status: 'connected', phoneNumber: s.phone, isRecovered: true });
      expect(hostPidsOf(s.sessionId)).toEqual([v.pid]);
      const qr = await api(worker, 'GET', `/api/sessions/${s.sessionId}/qr`);
      expect(qr.status).toBe(404);
      expect(qr.body.error.code).toBe('NO_QR');
    }
  }, 150_000);

  it('a connection WhatsApp drops: reconnected in the same host, and the API shows close code 428', async () => {
    const s = sessions[1]!;
    const before = await view(s);
    expect(before.lastCloseCode).toBeNull();
    expect(before.nextRestartAt).toBeNull();
    world.sim.dropConnection(s.phone);
    const deadline = Date.now() + 45_000;
    let v = before;
    while (!(v.status === 'connected' && v.lastCloseCode !== null)) {
      if (Date.now() > deadline) throw new Error(`no reconnect seen: ${JSON.stringify(v)}\n${worker.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
      v = await view(s);
    }
    expect(v).toMatchObject({ lastCloseCode: 428, pid: before.pid, restarts: before.restarts, nextRestartAt: null });
  }, 60_000);

  it('kill -9 of a host: the API shows a new pid, one restart, connected again, no QR', async () => {
    const s = sessions[0]!;
    const before = await view(s);
    process.kill(before.pid, 'SIGKILL');
    const deadline = Date.now() + 45_000;
    let v = before;
    while (!(v.status === 'connected' && v.pid !== before.pid)) {
      if (Date.now() > deadline) throw new Error(`not back: ${JSON.stringify(v)}\n${worker.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
      v = await view(s);
    }
    expect(v.restarts).toBe(before.restarts + 1);
    expect(v.phoneNumber).toBe(s.phone);
    expect(world.sim.qrCount()).toBe(qrRounds);
    expect(await worker.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);
});
