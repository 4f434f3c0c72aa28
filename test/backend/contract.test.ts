/**
 * Contract tests per profile: the real backend module against the real fake backend over HTTP on
 * 127.0.0.1. Every body the fake received must pass its strict validator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBackend, type Profile } from '../fake-backend/server.js';
import { makeWorker, tempDir, TOKEN, until } from './support/harness.js';
import { view } from './support/fake-directory.js';

const AT = '2024-05-01T10:00:00.000Z';

describe.each<Profile>(['seed', 'whatsam'])('%s profile', (profile) => {
  let fake: FakeBackend;
  let dir: { path: string; remove: () => Promise<void> };
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    fake = await FakeBackend.start({ profile, token: TOKEN });
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
    await fake.close();
    await dir.remove();
  });

  async function worker(env: Record<string, string> = { WORKER_ID: 'worker-a1' }) {
    const w = await makeWorker({ url: fake.url, profile, dataDir: dir.path, env });
    stops.push(() => w.stop());
    return w;
  }

  it('registers, fetches assignments and reports recovery in its shape; every body is valid', async () => {
    fake.setAssignments('worker-a1', [{ sessionId: 's1', userId: 'u1', name: 'one' }, { sessionId: 's2' }]);
    const { integration } = await worker();
    const specs = await integration.start();
    expect(specs.map((s) => s.sessionId)).toEqual(['s1', 's2']);
    expect(specs[0]).toMatchObject({ userId: 'u1', name: 'one' });

    const reg = fake.callsTo('register');
    expect(reg).toHaveLength(1);
    expect(reg[0]!.body).toMatchObject({ workerId: 'worker-a1', endpoint: 'http://127.0.0.1:3999' });
    if (profile === 'seed') expect(reg[0]!.body).toMatchObject({ status: 'online', maxSessions: 500, capabilities: { version: '1.2.3' } });
    else expect(reg[0]!.body).toMatchObject({ version: '1.2.3', environment: 'TESTING', maxSessions: 500 });
    if (profile === 'seed') expect(fake.callsTo('assigned')[0]!.workerIdHeader).toBe('worker-a1');

    const ok = await integration.reportRecovery([
      { sessionId: 's1', outcome: 'recovered', status: 'connected', phoneNumber: '15550001111', attempts: 1, durationMs: 900, at: AT },
      { sessionId: 's2', outcome: 'failed', status: 'failed', reason: 'timeout', phoneNumber: null, attempts: 3, durationMs: 30000, at: AT },
      { sessionId: 's3', outcome: 'skipped', status: 'logged_out', reason: 'logged_out', phoneNumber: null, attempts: 0, durationMs: 0, at: AT },
    ]);
    expect(ok).toBe(true);
    // One report per start: a second call sends nothing.
    await integration.reportRecovery([]);
    const reports = fake.callsTo('recovery');
    expect(reports).toHaveLength(1);
    if (profile === 'seed') {
      expect(reports[0]!.body).toMatchObject({
        recoveredSessions: [{ sessionId: 's1', status: 'connected', phoneNumber: '15550001111' }],
        failedSessions: [{ sessionId: 's2', error: 'timeout', reason: 'timeout' }],
      });
    } else {
      expect(reports[0]!.body).toEqual({
        recoveryResults: [
          { sessionId: 's1', status: 'SUCCESS', recoveredAt: AT },
          { sessionId: 's2', status: 'FAILED', error: 'timeout' },
          { sessionId: 's3', status: 'SKIPPED', error: 'logged_out' },
        ],
        totalSessions: 3,
        successfulRecoveries: 1,
        failedRecoveries: 1,
      });
    }
    expect(fake.calls.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(fake.invalidCalls()).toEqual([]);
    expect(integration.status()).toMatchObject({ registered: true, reachable: true, degraded: false, recoveryReported: true, assignments: { source: 'backend', count: 2 } });
  });

  it('404 on assignments means none', async () => {
    const { integration } = await worker();
    expect(await integration.start()).toEqual([]);
    expect(integration.status().degraded).toBe(false);
  });

  it('a second start() is refused as ALREADY_STARTED (a misuse, not an unsupported backend) and calls nothing', async () => {
    const { integration } = await worker();
    await integration.start();
    const before = fake.calls.length;
    await expect(integration.start()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    expect(fake.calls.length).toBe(before);
    expect(integration.status()).toMatchObject({ registered: true, degraded: false });
  });

  it('heartbeats carry the true statuses and phone numbers, real metrics, and never overlap', async () => {
    const { integration, directory } = await worker();
    directory.sessions.set('s1', view('s1', { status: 'connected', phoneNumber: '15550001111', userId: 'u1', isRecovered: true, lastSeen: AT, name: 'Shop' }));
    directory.sessions.set('s2', view('s2', { status: 'qr_required' }));
    directory.sessions.set('s3', view('s3', { status: 'failed', reason: 'crash_loop' }));
    await integration.start();
    integration.startHeartbeats();
    const beat = await fake.waitFor((c) => c.route === 'heartbeat' && c.status === 200);
    expect(beat.path).toContain('worker-a1');
    const body = beat.body as { sessions: Record<string, unknown>[]; metrics: Record<string, number> };
    const byId = Object.fromEntries(body.sessions.map((s) => [s.sessionId, s]));
    if (profile === 'seed') {
      expect(byId.s1).toEqual({ sessionId: 's1', status: 'connected', phoneNumber: '15550001111', lastActivity: AT, isRecovered: true, userId: 'u1' });
      expect(byId.s2).toMatchObject({ status: 'qr_required', phoneNumber: null, userId: null, lastActivity: null, isRecovered: false });
      expect(byId.s3).toMatchObject({ status: 'failed' });
      expect(beat.body).toMatchObject({ status: 'online', recoveryStats: { total: 3, recovered: 1, connected: 1, failed: 1, qr_required: 1 }, capabilities: { maxSessions: 500, version: '1.2.3' } });
      expect(body.metrics.sessionCount).toBe(3);
    } else {
      expect(byId.s1).toEqual({ sessionId: 's1', status: 'CONNECTED', phoneNumber: '15550001111', displayName: 'Shop', lastActivity: AT });
      expect(byId.s2).toEqual({ sessionId: 's2', status: 'QR_REQUIRED' });
      expect(byId.s3).toEqual({ sessionId: 's3', status: 'ERROR' });
      expect(body.metrics).toMatchObject({ totalSessions: 3, activeSessions: 1 });
    }
    expect(body.metrics.memoryUsage).toBeGreaterThan(0);
    expect(body.metrics.memoryUsage).toBeLessThanOrEqual(100);
    expect(typeof body.metrics.cpuUsage).toBe('number');
    expect(Number.isInteger(body.metrics.uptime)).toBe(true);
    await until(() => integration.status().lastHeartbeat?.ok === true, 5000, 'heartbeat recorded');
    expect(integration.status().lastHeartbeat).toMatchObject({ ok: true, httpStatus: 200 });

    // A backend that hangs: each beat times out (500 ms) before the next (1000 ms) starts.
    fake.hang('heartbeat');
    const before = fake.callsTo('heartbeat').length;
    await until(() => fake.callsTo('heartbeat').length >= before + 3, 10_000, 'three hung heartbeats');
    expect(fake.maxConcurrent.get('heartbeat')).toBe(1);
    await until(() => integration.status().lastHeartbeat?.ok === false, 5000, 'failed heartbeat recorded');
    expect(integration.status().lastHeartbeat).toMatchObject({ ok: false, error: { code: 'BACKEND_TIMEOUT' } });
    fake.hang('heartbeat', false);
    expect(fake.invalidCalls()).toEqual([]);
  });

  it('sends an empty session list when INCLUDE_SESSION_DATA=false', async () => {
    const { integration, directory } = await worker({ WORKER_ID: 'worker-a1', INCLUDE_SESSION_DATA: 'false' });
    directory.sessions.set('s1', view('s1', { status: 'connected' }));
    await integration.start();
    integration.startHeartbeats();
    const beat = await fake.waitFor((c) => c.route === 'heartbeat' && c.status === 200);
    expect((beat.body as { sessions: unknown[] }).sessions).toEqual([]);
  });

  it('delivers events with their idempotency keys, in order per lane, retrying 5xx; 4xx ends in the dead-letter store', async () => {
    const { integration, outbox, directory } = await worker();
    await integration.start();
    fake.fail('session-status', 503, 2);
    directory.setStatus('s1', 'connecting');
    directory.emit({ kind: 'qr', sessionId: 's2', qr: '2@abc,def', expiresAt: AT, attempt: 1, at: AT });
    directory.setStatus('s1', 'connected', { phoneNumber: '15550001111' });
    directory.emit({ kind: 'recovery', sessionId: 's2', result: { sessionId: 's2', outcome: 'failed', status: 'qr_required', reason: 'auth_expired', phoneNumber: null, attempts: 1, durationMs: 5, at: AT } });
    directory.setStatus('s1', 'reconnecting');
    directory.setStatus('s1', 'connected');
    directory.emit({ kind: 'receipt', sessionId: 's1', messageId: '3EB0ABC123', remoteJid: '15550002222@s.whatsapp.net', status: 'read', at: AT });
    directory.emit({ kind: 'message-in', sessionId: 's1', messages: [{ id: 'M1', from: '15550002222@s.whatsapp.net', timestamp: AT, type: 'text', text: 'hi' }] });
    directory.emit({ kind: 'message-in', sessionId: 's1', messages: [{ id: 'M2', from: '15550002222@s.whatsapp.net', timestamp: AT, type: 'text', text: 'again' }] });
    await outbox.onIdle();

    const ok = fake.callsTo('session-status').filter((c) => c.status === 200);
    const delivered = ok.map((c) => c.body as Record<string, string>);
    const s1 = delivered.filter((b) => b.sessionId === 's1').map((b) => b.status);
    const s2 = delivered.filter((b) => b.sessionId === 's2');
    expect(fake.callsTo('session-status').filter((c) => c.status === 503)).toHaveLength(2);
    // Every call carries its key in the header and the body; retries keep it.
    for (const c of fake.calls.filter((c) => c.route === 'session-status' || c.route === 'messages' || c.route === 'message-status')) {
      expect(c.idempotencyKey).toBeTruthy();
      expect((c.body as { idempotencyKey: string }).idempotencyKey).toBe(c.idempotencyKey);
    }
    expect(new Set(ok.map((c) => c.idempotencyKey)).size).toBe(ok.length);
    if (profile === 'seed') {
      expect(s1).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
      expect(s2.map((b) => b.event)).toEqual(['qr_ready', 'recovery_failed']);
      expect(s2[0]).toMatchObject({ qrCode: '2@abc,def', status: 'qr_required', workerId: 'worker-a1' });
      expect(s2[1]).toMatchObject({ reason: 'auth_expired', status: 'failed' });
      const msgs = fake.callsTo('messages');
      expect(msgs.map((c) => (c.body as { messages: { id: string }[] }).messages.map((m) => m.id)).flat()).toEqual(['M1', 'M2']);
      expect(msgs.map((c) => c.idempotencyKey)).toEqual(['s1:M1', 's1:M2']);
      expect(fake.callsTo('message-status')[0]!.body).toMatchObject({ messageId: '3EB0ABC123', status: 'read', workerId: 'worker-a1' });
    } else {
      // whatsam is rate-limited: while its head was retried, each session's newest status won.
      expect(s1.at(-1)).toBe('CONNECTED');
      expect(s2.at(-1)?.status).toBe('ERROR');
      expect(outbox.stats().coalesced).toBeGreaterThan(0);
      expect(fake.callsTo('messages')).toHaveLength(0);
      expect(fake.callsTo('message-status')[0]!.body).toEqual({ idempotencyKey: 's1:3EB0ABC123:read', sessionId: 's1', messageId: '3EB0ABC123', status: 'READ', timestamp: AT });
    }
    expect(fake.invalidCalls()).toEqual([]);

    // A 4xx is retried OUTBOX_REJECT_RETRIES (3) times in all, then kept as a dead letter; the
    // next event of the lane is not held up by it.
    fake.fail('session-status', 400, 3);
    directory.setStatus('s3', 'connecting');
    await until(() => outbox.stats().dead === 1, 10_000, 'dead letter');
    directory.setStatus('s4', 'connected');
    await outbox.onIdle();
    const s3 = fake.callsTo('session-status').filter((c) => (c.body as { sessionId: string }).sessionId === 's3');
    expect(s3.map((c) => c.status)).toEqual([400, 400, 400]);
    expect(fake.callsTo('session-status').filter((c) => (c.body as { sessionId: string }).sessionId === 's4').map((c) => c.status)).toEqual([200]);
    const { deadLetters } = outbox.deadLetters();
    expect(deadLetters).toMatchObject([{ sink: 'backend', kind: 'session-status', sessionId: 's3', attempts: 3, lastError: 'HTTP 400' }]);
    expect(outbox.replay()).toBe(1);
    await outbox.onIdle();
    expect(fake.callsTo('session-status').filter((c) => (c.body as { sessionId: string }).sessionId === 's3').map((c) => c.status)).toEqual([400, 400, 400, 200]);
    expect(outbox.stats()).toMatchObject({ pending: 0, dead: 0, deadLettered: 1 });
  });

  it('starts a later assignment and stops a removed one, without logout', async () => {
    fake.setAssignments('worker-a1', [{ sessionId: 's1' }]);
    const { integration, directory } = await worker();
    const specs = await integration.start();
    for (const s of specs) await directory.ensure(s); // what the supervisor's recovery does
    directory.ensured.length = 0;

    fake.setAssignments('worker-a1', [{ sessionId: 's1' }, { sessionId: 's2', userId: 'u2' }]);
    await until(() => directory.ensured.some((s) => s.sessionId === 's2'), 10_000, 's2 ensured');
    expect(directory.ensured).toEqual([{ sessionId: 's2', userId: 'u2', name: profile === 'seed' ? null : 's2' }]);

    fake.setAssignments('worker-a1', [{ sessionId: 's2' }]);
    await until(() => directory.released.includes('s1'), 10_000, 's1 released');
    expect(directory.released).toEqual(['s1']);
    expect([...directory.sessions.keys()]).toEqual(['s2']);
    expect(fake.invalidCalls()).toEqual([]);
  });

  it('sends no unregister on shutdown and keeps its worker id across restarts', async () => {
    fake.setAssignments('worker-x', []);
    const first = await makeWorker({ url: fake.url, profile, dataDir: dir.path });
    await first.integration.start();
    first.integration.startHeartbeats();
    await fake.waitFor((c) => c.route === 'heartbeat');
    await first.stop();
    const callsAfterStop = fake.calls.length;

    const second = await makeWorker({ url: fake.url, profile, dataDir: dir.path });
    stops.push(() => second.stop());
    await second.integration.start();
    await second.stop();

    expect(second.workerId).toBe(first.workerId);
    const ids = fake.callsTo('register').map((c) => (c.body as { workerId: string }).workerId);
    expect(ids).toEqual([first.workerId, first.workerId]);
    expect(fake.calls.filter((c) => c.method === 'DELETE' || c.route === 'unregister')).toEqual([]);
    // whatsam: a stop also says OFFLINE on its worker-heartbeat webhook (issue 20 §3).
    expect(fake.calls.slice(callsAfterStop).every((c) => c.route === 'register' || c.route === 'assigned' || c.route === 'worker-heartbeat')).toBe(true);
    expect(fake.workers.has(first.workerId)).toBe(true);
  });

  it('registers again when the backend forgets the worker', async () => {
    const { integration } = await worker();
    await integration.start();
    fake.forget('worker-a1');
    integration.startHeartbeats();
    await fake.waitFor((c) => c.route === 'heartbeat' && c.status === 404);
    await until(() => fake.callsTo('register').length === 2, 10_000, 're-registration');
    await fake.waitFor((c) => c.route === 'heartbeat' && c.status === 200);
  });

  if (profile === 'whatsam') {
    it('unregisters only on the explicit operator action', async () => {
      const { integration } = await worker();
      await integration.start();
      integration.startHeartbeats();
      await integration.unregister();
      const del = fake.callsTo('unregister');
      expect(del).toHaveLength(1);
      expect(del[0]!.body).toEqual({ workerId: 'worker-a1', endpoint: 'http://127.0.0.1:3999' });
      expect(fake.workers.has('worker-a1')).toBe(false);
      expect(integration.status().decommissioned).toBe(true);
      expect(fake.invalidCalls()).toEqual([]);
    });

    it('refuses a worker id the whatsam backend would reject', async () => {
      await expect(makeWorker({ url: fake.url, profile, dataDir: dir.path, env: { WORKER_ID: 'w.1' } })).rejects.toMatchObject({ code: 'BACKEND_WORKER_ID_INVALID' });
    });
  } else {
    it('has no unregister call in the seed contract', async () => {
      const { integration } = await worker();
      await integration.start();
      await expect(integration.unregister()).rejects.toMatchObject({ code: 'BACKEND_UNSUPPORTED' });
      expect(fake.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
    });
  }
});
