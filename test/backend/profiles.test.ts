import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_STATUSES } from '../../src/status.js';
import { toWhatsamStatus, whatsamVersion, whatsamEnvironment } from '../../supervisor/backend/whatsam-status.js';
import { whatsamProfile, seedProfile } from '../../supervisor/backend/profiles/index.js';
import { whatsamWorkerIdNormalForm } from '../../supervisor/backend/whatsam-status.js';
import type { HeartbeatSnapshot } from '../../supervisor/backend/contract.js';
import { FakeBackend } from '../fake-backend/server.js';
import { view } from './support/fake-directory.js';

const snap = (over: Partial<HeartbeatSnapshot> = {}): HeartbeatSnapshot => ({
  at: '2024-01-01T00:00:00.000Z',
  metrics: { cpuPercent: 12.5, memoryPercent: 40, uptimeSec: 10 },
  messageCount: 3,
  maxSessions: 10,
  version: '1.0.0',
  features: ['a'],
  sessions: [view('s1', { status: 'recovering' }), view('s2', { status: 'replaced', phoneNumber: 'not-a-phone' })],
  includeSessions: true,
  ...over,
});

describe('whatsam mapping (pure)', () => {
  it('maps every canonical status into its enum', () => {
    const allowed = new Set(['INIT', 'QR_REQUIRED', 'CONNECTED', 'DISCONNECTED', 'RECONNECTING', 'ERROR']);
    for (const s of SESSION_STATUSES) expect(allowed.has(toWhatsamStatus(s))).toBe(true);
    expect(toWhatsamStatus('logged_out')).toBe('DISCONNECTED');
    expect(toWhatsamStatus('failed')).toBe('ERROR');
  });
  it('omits null and invalid fields instead of sending them', () => {
    const body = whatsamProfile.heartbeat('w-1', snap()).body as { sessions: object[] };
    expect(body.sessions).toEqual([{ sessionId: 's1', status: 'RECONNECTING' }, { sessionId: 's2', status: 'ERROR' }]);
  });
  it('cuts versions to x.y.z and maps environments', () => {
    expect(whatsamVersion('1.2.3-rc.1')).toBe('1.2.3');
    expect(whatsamVersion('dev')).toBeUndefined();
    expect(whatsamEnvironment('')).toBe('PRODUCTION');
    expect(whatsamEnvironment('weird')).toBeUndefined();
  });
});

describe('seed mapping (pure)', () => {
  it('keeps unknown values as null and counts sessions even when not included', () => {
    const body = seedProfile.heartbeat('w-1', snap({ includeSessions: false })).body as { sessions: unknown[]; metrics: { sessionCount: number } };
    expect(body.sessions).toEqual([]);
    expect(body.metrics.sessionCount).toBe(2);
    const full = seedProfile.heartbeat('w-1', snap()).body as { sessions: Record<string, unknown>[] };
    expect(full.sessions[0]).toMatchObject({ phoneNumber: null, userId: null, lastActivity: null });
  });
});

describe('fake backend strictness (so contract tests can fail)', () => {
  let fake: FakeBackend;
  beforeAll(async () => {
    fake = await FakeBackend.start({ profile: 'whatsam' });
  });
  afterAll(() => fake.close());
  const put = (body: unknown) =>
    fetch(`${fake.url}/api/workers/worker-1/heartbeat`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('rejects nulls, unknown statuses and unknown fields with 400', async () => {
    expect((await put({ sessions: [{ sessionId: 's', status: 'CONNECTED', phoneNumber: null }] })).status).toBe(400);
    expect((await put({ sessions: [{ sessionId: 's', status: 'connected' }] })).status).toBe(400);
    expect((await put({ sessions: [], extra: 1 })).status).toBe(400);
    expect(fake.invalidCalls()).toHaveLength(3);
  });
  it('accepts a valid body (404 only because the worker never registered)', async () => {
    expect((await put({ sessions: [{ sessionId: 's', status: 'CONNECTED' }] })).status).toBe(404);
  });
});

describe('whatsam worker ids (issue 20 §3)', () => {
  const identity = (workerId: string) => ({ workerId, endpoint: 'http://127.0.0.1:3001', maxSessions: 10, description: 'd', version: '1.0.0', environment: '', features: [] }) as never;
  it("refuses an id the backend would rewrite: it normalises in some handlers and not in others", () => {
    for (const id of ['Worker-1', 'worker_1', 'worker--1', 'WORKER']) {
      expect(() => whatsamProfile.checkIdentity(identity(id)), id).toThrow(expect.objectContaining({ code: 'BACKEND_WORKER_ID_INVALID', message: expect.stringContaining(`WORKER_ID=${whatsamWorkerIdNormalForm(id)}`) }));
    }
    for (const id of ['worker-1', 'host-a1b2c3', 'w01']) expect(() => whatsamProfile.checkIdentity(identity(id)), id).not.toThrow();
  });
  it('normal form: lower case, _ → -, repeated - collapsed, no leading or trailing -', () => {
    expect(whatsamWorkerIdNormalForm(' My_Worker__1- ')).toBe('my-worker-1');
  });
});

describe('whatsam recovery report: a session that needs a new QR is not a failure (issue 20 §3)', () => {
  it('reports it SKIPPED (the backend keeps its status; the QR_REQUIRED webhook sets it), real failures FAILED', () => {
    const at = '2026-12-03T09:00:00.000Z';
    const r = (sessionId: string, outcome: 'recovered' | 'failed', status: string, reason?: string) => ({ sessionId, outcome, status, ...(reason ? { reason } : {}), phoneNumber: null, attempts: 1, durationMs: 5, at }) as never;
    const body = whatsamProfile.recoveryReport('worker-1', { results: [r('a', 'recovered', 'connected'), r('b', 'failed', 'qr_required', 'auth_expired'), r('c', 'failed', 'qr_required', 'no_auth'), r('d', 'failed', 'failed', 'crash_loop')] }).body as any;
    expect(body.recoveryResults.map((x: { sessionId: string; status: string }) => [x.sessionId, x.status])).toEqual([['a', 'SUCCESS'], ['b', 'SKIPPED'], ['c', 'SKIPPED'], ['d', 'FAILED']]);
    expect(body.recoveryResults[1].error).toContain('QR_REQUIRED');
    expect(body).toMatchObject({ totalSessions: 4, successfulRecoveries: 1, failedRecoveries: 1 });
  });
});

describe('whatsam registration refusals (pure)', () => {
  const identity = { workerId: 'worker-1', endpoint: 'http://10.0.0.5:3001', maxSessions: 10, description: 'd', version: '1.0.0', environment: '', features: [] } as never;
  it('reads its 503 ConnectivityError and both 409s; any other 503 or 4xx stays an ordinary failure', () => {
    const probe = whatsamProfile.registrationRefusal({ status: 503, data: { success: false, error: 'Service Unavailable', message: 'Connection timeout to worker endpoint: http://10.0.0.5:3001. Please check network connectivity.' } }, identity);
    expect(probe).toMatchObject({ code: 'BACKEND_HEALTH_PROBE_FAILED', message: expect.stringContaining('http://10.0.0.5:3001/health') });
    expect(whatsamProfile.registrationRefusal({ status: 409, data: { error: 'Conflict', message: 'Endpoint http://10.0.0.5:3001 is already registered by worker worker-9' } }, identity)).toMatchObject({ code: 'BACKEND_ENDPOINT_CONFLICT', message: expect.stringContaining('worker-9') });
    expect(whatsamProfile.registrationRefusal({ status: 409, data: { error: 'Conflict', message: 'Worker ID worker-1 is already registered with endpoint http://10.0.0.4:3001' } }, identity)).toMatchObject({ code: 'BACKEND_WORKER_ID_CONFLICT', message: expect.stringContaining('WORKER_ENDPOINT=http://10.0.0.4:3001') });
    // A proxy's 503 during a deploy is not a probe failure: retried as a server error.
    expect(whatsamProfile.registrationRefusal({ status: 503, data: '<html>503 Service Temporarily Unavailable</html>' }, identity)).toBeNull();
    expect(whatsamProfile.registrationRefusal({ status: 400, data: { success: false, error: { code: 'VALIDATION_ERROR', message: 'bad' } } }, identity)).toBeNull();
  });
});
