/**
 * Issue 19 §1 end to end: a session linked by phone-number code instead of a QR. Real supervisor
 * and session hosts (compiled), the real Baileys client against the simulator playing the phone,
 * the fake backend (seed profile, strict bodies). The code is asked through the API, reaches the
 * backend as a `pairing_code` event, is typed on the simulated phone, and the session connects
 * without any QR being scanned; `kill -9` of its host and a worker restart bring it back with no
 * QR and no new code. Bad requests answer 4xx with a code and change nothing; a host killed while
 * its code waits comes back ready for a new code (its half-made creds neither published nor
 * mistaken for a pairing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPidsOf } from '../supervisor/support/processes.js';
import { api, assign, makeSessions, statusEvents, type E2ESession } from './support/sessions.js';
import { startWorld, TOKEN, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

let world: World;
let worker: E2EWorker;
let linked: E2ESession;
let pending: E2ESession;
let qrRoundsAfterLink = 0;

beforeAll(async () => {
  world = await startWorld('pc');
  [linked, pending] = makeSessions(world, 'pc', 2, 15550601001) as [E2ESession, E2ESession];
  // debug logs: the code must not appear in them (pino redaction, issue 19 §1)
  worker = await world.startWorker({ env: { LOG_LEVEL: 'debug' } });
  await worker.recoveryDone(30_000);
}, 60_000);

afterAll(async () => {
  await world?.close([linked?.sessionId, pending?.sessionId].filter((id): id is string => !!id));
});

/** The pairing-code route may wait for a booting host's pair-device round: longer than `api()` waits. */
async function askCode(sessionId: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${worker.url}/api/sessions/${encodeURIComponent(sessionId)}/pairing-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(40_000),
  });
  return { status: res.status, body: await res.json() };
}

/** The worker picks an assignment up at its next sync: wait until the API knows the session. */
async function known(s: E2ESession, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(worker, 'GET', `/api/sessions/${s.sessionId}`);
    if (r.status === 200) return r.body.data.status as string;
    if (Date.now() > deadline) throw new Error(`${s.sessionId} never assigned: ${JSON.stringify(r.body)}\n${worker.tail()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function view(s: E2ESession): Promise<Record<string, any>> {
  const r = await api(worker, 'GET', `/api/sessions/${s.sessionId}`);
  expect(r.status).toBe(200);
  return r.body.data as Record<string, any>;
}

async function until(s: E2ESession, test: (v: Record<string, any>) => boolean, timeoutMs: number, what: string): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await view(s);
    if (test(v)) return v;
    if (Date.now() > deadline) throw new Error(`${s.sessionId}: ${what} not reached: ${JSON.stringify(v)}\n${worker.tail()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('link a session by phone-number code', () => {
  it('a code asked right after assignment: pairing_code_required, a pairing_code event, typed on the phone → connected with no QR scanned', async () => {
    assign(world, [linked]);
    const statusWhenAsked = await known(linked);
    // asked while the host may still be booting: the route waits for the pair-device round
    const r = await askCode(linked.sessionId, { phoneNumber: `+1 555 060 1001` });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { pairingCode, phoneNumber, expiresAt } = r.body.data as { pairingCode: string; phoneNumber: string; expiresAt: string };
    expect(pairingCode).toMatch(/^[0-9A-Z]{8}$/);
    expect(phoneNumber).toBe(linked.phone);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    expect(r.body.data.sessionId).toBe(linked.sessionId);
    console.log(`[e2e] pairing code asked while the session was ${statusWhenAsked}`);

    const v = await until(linked, (x) => x.status === 'pairing_code_required', 10_000, 'pairing_code_required');
    expect(v).toMatchObject({ pairingCode, pairingCodeExpiresAt: expiresAt, qr: null });
    const event = await world.waitCall((c) => c.route === 'session-status' && c.status === 200 && (c.body as { event?: string }).event === 'pairing_code', 10_000);
    expect(event.body).toMatchObject({ sessionId: linked.sessionId, status: 'pairing_code_required', pairingCode, pairingCodeExpiresAt: expiresAt, phoneNumber: linked.phone });
    expect(world.sim.waitingForPairingCode().map((w) => w.phone)).toEqual([linked.phone]);

    await world.sim.enterPairingCode(linked.phone, pairingCode);
    await world.waitCall((c) => c.route === 'session-status' && (c.body as { sessionId?: string; event?: string; phoneNumber?: string }).sessionId === linked.sessionId && (c.body as { event?: string }).event === 'connected' && (c.body as { phoneNumber?: string }).phoneNumber === linked.phone, 30_000);
    const connected = await until(linked, (x) => x.status === 'connected', 10_000, 'connected');
    expect(connected).toMatchObject({ phoneNumber: linked.phone, pairingCode: null, qr: null });
    expect(world.sim.devices().filter((d) => d.phone === linked.phone)).toEqual([{ phone: linked.phone, deviceJid: `${linked.phone}:1@s.whatsapp.net`, connected: true }]);
    qrRoundsAfterLink = world.sim.qrCount();
    expect(worker.tail(2_000_000)).not.toContain(pairingCode);
  }, 90_000);

  it('bad requests answer 4xx with a code and change nothing', async () => {
    const before = await view(linked);
    const eventsBefore = statusEvents(world).length;
    const cases: [string, unknown, number, string][] = [
      [linked.sessionId, { phoneNumber: '12ab' }, 400, 'INVALID_PHONE_NUMBER'],
      [linked.sessionId, { phoneNumber: '0555 0601 001' }, 400, 'INVALID_PHONE_NUMBER'],
      [linked.sessionId, { phoneNumber: '1234567890123456' }, 400, 'INVALID_PHONE_NUMBER'],
      [linked.sessionId, {}, 400, 'VALIDATION_FAILED'],
      [linked.sessionId, { phoneNumber: linked.phone, extra: 1 }, 400, 'VALIDATION_FAILED'],
      [`nope_${world.tag}`, { phoneNumber: linked.phone }, 404, 'SESSION_NOT_FOUND'],
      // linked already: a code would only confuse the phone
      [linked.sessionId, { phoneNumber: linked.phone }, 409, 'ALREADY_LINKED'],
    ];
    for (const [id, body, status, code] of cases) {
      const r = await askCode(id, body);
      expect({ status: r.status, code: r.body?.error?.code }, JSON.stringify({ id, body, answer: r.body })).toEqual({ status, code });
      expect(typeof r.body.error.message).toBe('string');
    }
    const after = await view(linked);
    expect(after).toMatchObject({ status: 'connected', pid: before.pid, restarts: before.restarts, pairingCode: null });
    expect(statusEvents(world).length).toBe(eventsBefore);
    expect(world.sim.waitingForPairingCode()).toEqual([]);
    expect(world.sim.qrCount()).toBe(qrRoundsAfterLink);
  }, 60_000);

  it('kill -9 of the host, then a worker restart: connected each time, no QR and no new code', async () => {
    const codesBefore = statusEvents(world, linked.sessionId).filter((e) => e.event === 'pairing_code').length;
    const before = await view(linked);
    process.kill(before.pid, 'SIGKILL');
    const back = await until(linked, (x) => x.status === 'connected' && x.pid !== before.pid && x.pid !== null, 45_000, 'back after kill -9');
    expect(back).toMatchObject({ phoneNumber: linked.phone, restarts: before.restarts + 1 });
    expect(hostPidsOf(linked.sessionId)).toEqual([back.pid]);

    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    worker = await world.startWorker();
    await worker.until((h) => h.recovery?.phase === 'done' && (h.sessions?.byStatus?.connected ?? 0) === 1, 60_000, 'the linked session recovered');
    expect(await view(linked)).toMatchObject({ status: 'connected', phoneNumber: linked.phone, isRecovered: true });
    expect(world.sim.qrCount()).toBe(qrRoundsAfterLink);
    const events = statusEvents(world, linked.sessionId);
    expect(events.filter((e) => e.event === 'pairing_code')).toHaveLength(codesBefore);
    expect(events.filter((e) => e.event === 'qr_ready' && Date.parse(e.timestamp) > Date.parse(before.connectedAt))).toEqual([]);
  }, 150_000);

  it('kill -9 while a code waits: the host comes back unlinked (not logged out), a new code links it', async () => {
    assign(world, [linked, pending]);
    await known(pending);
    const first = await askCode(pending.sessionId, { phoneNumber: pending.phone });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const waiting = await until(pending, (x) => x.status === 'pairing_code_required', 10_000, 'pairing_code_required');
    process.kill(waiting.pid, 'SIGKILL');
    const again = await until(pending, (x) => x.status === 'qr_required' && x.pid !== waiting.pid, 45_000, 'a fresh pairing round');
    expect(again.reason).toBeNull();
    expect(statusEvents(world, pending.sessionId).map((e) => e.status)).not.toContain('logged_out');
    // the dead host's code can no longer link: its connection is gone
    await expect(world.sim.enterPairingCode(pending.phone, first.body.data.pairingCode)).rejects.toThrow(/no companion is waiting/);

    const second = await askCode(pending.sessionId, { phoneNumber: pending.phone });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.data.pairingCode).not.toBe(first.body.data.pairingCode);
    await world.sim.enterPairingCode(pending.phone, second.body.data.pairingCode);
    await until(pending, (x) => x.status === 'connected' && x.phoneNumber === pending.phone, 30_000, 'connected by the second code');
  }, 120_000);
});
