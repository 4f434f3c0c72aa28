import { describe, expect, it } from 'vitest';
import { planReconcile } from '../../supervisor/backend/reconcile.js';
import { cpuPercentBetween, memoryPercent, MetricsSampler } from '../../supervisor/backend/system-metrics.js';
import { parseAssignmentCache } from '../../supervisor/backend/assignment-cache.js';
import { codeForStatus, transportErrorCode } from '../../supervisor/backend/errors.js';
import { toOutbound, countedMessages } from '../../supervisor/backend/outbound-events.js';
import { isEnvelopeNotFound, parseAssignmentList } from '../../supervisor/backend/parse-assignments.js';
import { seedProfile } from '../../supervisor/backend/profiles/seed.js';

const a = (sessionId: string) => ({ sessionId, userId: null, name: null });

describe('reconcile plan', () => {
  it('starts new assignments at once; stops a hosted session only when two answers in a row leave it out', () => {
    const first = planReconcile(new Set(['s1', 's2']), [a('s2'), a('s3')], new Set(['s1', 's2', 'api-made']));
    expect(first.ensure.map((x) => x.sessionId)).toEqual(['s3']);
    expect(first.release).toEqual([]);
    expect(first.missing).toEqual(['s1']);
    // The same answer again: now s1 is released.
    const second = planReconcile(new Set(['s1', 's2', 's3']), [a('s2'), a('s3')], new Set(['s1', 's2', 's3', 'api-made']), new Set(first.missing));
    expect(second.release).toEqual(['s1']);
    expect(second.missing).toEqual([]);
  });
  it('forgets a one-off gap: a session missing once and back in the next answer stays', () => {
    const first = planReconcile(new Set(['s1']), [], new Set(['s1']));
    expect(first).toMatchObject({ release: [], missing: ['s1'] });
    const back = planReconcile(new Set(['s1']), [a('s1')], new Set(['s1']), new Set(first.missing));
    expect(back).toMatchObject({ release: [], missing: [], ensure: [] });
  });
  it('never releases a session the backend did not assign before (e.g. created through the API)', () => {
    expect(planReconcile(new Set(), [], new Set(['api-made']), new Set(['api-made'])).release).toEqual([]);
  });
  it('ensures an assigned session that is not hosted (e.g. its start failed)', () => {
    expect(planReconcile(new Set(['s1']), [a('s1')], new Set()).ensure.map((x) => x.sessionId)).toEqual(['s1']);
  });
});

describe('machine metrics', () => {
  it('computes the busy share between two CPU samples', () => {
    expect(cpuPercentBetween({ idle: 100, total: 200 }, { idle: 150, total: 400 })).toBe(75);
    expect(cpuPercentBetween({ idle: 0, total: 0 }, { idle: 0, total: 0 })).toBe(0);
  });
  it('computes memory in use as a percentage', () => {
    expect(memoryPercent(25, 100)).toBe(75);
  });
  it('samples real, plain numbers in range', () => {
    const m = new MetricsSampler().sample();
    for (const v of [m.cpuPercent, m.memoryPercent]) {
      expect(typeof v).toBe('number');
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(100);
    }
    expect(m.memoryPercent).toBeGreaterThan(0);
    expect(Number.isInteger(m.uptimeSec)).toBe(true);
  });
});

describe('assignment cache parsing', () => {
  const body = (workerId: string) => JSON.stringify({ version: 1, workerId, profile: 'seed', fetchedAt: 'x', sessions: [a('ok'), a('../bad')] });
  it('accepts its own cache and drops invalid ids', () => {
    const r = parseAssignmentCache(body('w1'), 'w1');
    expect(r.kind === 'hit' && r.cache.sessions.map((s) => s.sessionId)).toEqual(['ok']);
  });
  it('ignores a cache written by another worker id, and garbage', () => {
    expect(parseAssignmentCache(body('w2'), 'w1').kind).toBe('unusable');
    expect(parseAssignmentCache('{', 'w1').kind).toBe('unusable');
  });
});

describe('assignment list parsing', () => {
  it('accepts id or sessionId, name or sessionName', () => {
    const res = { status: 200, data: { data: { sessions: [{ id: 's1', name: 'n1', userId: 'u' }, { sessionId: 's2', sessionName: 'n2' }, { id: 'bad/id' }, { id: 's1' }] } } };
    expect(parseAssignmentList(res)).toEqual({ sessions: [{ sessionId: 's1', userId: 'u', name: 'n1' }, { sessionId: 's2', userId: null, name: 'n2' }], ignored: 2 });
    expect(() => parseAssignmentList({ status: 200, data: { data: {} } })).toThrow(/data.sessions/);
  });
  it("reads a 404 as none only when it is the backend's own JSON error envelope", () => {
    const envelope = { success: false, timestamp: '2024-05-01T10:00:00.000Z', error: { code: 'NO_SESSIONS', message: 'no sessions assigned' } };
    expect(isEnvelopeNotFound({ status: 404, data: envelope })).toBe(true);
    expect(parseAssignmentList({ status: 404, data: envelope })).toEqual({ sessions: [], ignored: 0 });
    expect(seedProfile.parseAssignments({ status: 404, data: { success: false, error: 'none' } })).toEqual({ sessions: [], ignored: 0 });
  });
  it('treats a 404 that is not the envelope (a proxy page, empty, other JSON) or an unparsable body as an outage', () => {
    for (const data of ['<html><body><h1>404 Not Found</h1></body></html>', '', {}, { message: 'Not Found' }, { success: true, data: [] }, null]) {
      expect(isEnvelopeNotFound({ status: 404, data })).toBe(false);
      expect(() => parseAssignmentList({ status: 404, data })).toThrow(expect.objectContaining({ code: 'BACKEND_BAD_RESPONSE' }));
      expect(() => seedProfile.parseAssignments({ status: 404, data })).toThrow(/not the backend's own answer/);
    }
    expect(() => parseAssignmentList({ status: 200, data: '<html>maintenance</html>' })).toThrow(expect.objectContaining({ code: 'BACKEND_BAD_RESPONSE' }));
  });
  it('keeps the ids the whatsam backend names sessions (<userId>-<name>-<ms>, ~150 characters)', () => {
    const long = `3f2b8c1e-9d4a-4e7b-8a21-5c6d7e8f9a0b-${'customer-support-line-for-the-northern-region-'.repeat(2)}1764748800123`;
    expect(long.length).toBeGreaterThan(130);
    const res = { status: 200, data: { data: { sessions: [{ sessionId: long, sessionName: 'Customer Support' }, { sessionId: 'x'.repeat(161) }, { sessionId: 'a\nb' }] } } };
    expect(parseAssignmentList(res)).toEqual({ sessions: [{ sessionId: long, userId: null, name: 'Customer Support' }], ignored: 2 });
  });
});

describe('errors and backoff', () => {
  it('classifies HTTP statuses and transport errors', () => {
    expect(codeForStatus(503)).toBe('BACKEND_SERVER_ERROR');
    expect(codeForStatus(400)).toBe('BACKEND_REJECTED');
    expect(codeForStatus(404)).toBe('BACKEND_NOT_FOUND');
    expect(codeForStatus(429)).toBe('BACKEND_THROTTLED');
    expect(transportErrorCode('ECONNREFUSED')).toBe('BACKEND_UNREACHABLE');
    expect(transportErrorCode('ECONNABORTED')).toBe('BACKEND_TIMEOUT');
  });
});

describe('session events to backend events', () => {
  const at = '2024-01-01T00:00:00.000Z';
  it('names recovery results and keeps the reason', () => {
    const e = toOutbound({ kind: 'recovery', sessionId: 's', result: { sessionId: 's', outcome: 'failed', status: 'starting', reason: 'timeout', phoneNumber: null, attempts: 3, durationMs: 1, at } });
    expect(e).toMatchObject({ event: 'recovery_failed', status: 'failed', reason: 'timeout' });
    const ok = toOutbound({ kind: 'recovery', sessionId: 's', result: { sessionId: 's', outcome: 'recovered', status: 'connected', phoneNumber: '15550001111', attempts: 1, durationMs: 1, at } });
    expect(ok).toMatchObject({ event: 'recovery_successful', status: 'connected', phoneNumber: '15550001111' });
  });
  it('a recovery still retrying a transient boot failure keeps its status (recovering), with the reason', () => {
    const e = toOutbound({ kind: 'recovery', sessionId: 's', result: { sessionId: 's', outcome: 'failed', status: 'recovering', reason: 'storage_unavailable', phoneNumber: null, attempts: 1, durationMs: 1, at } });
    expect(e).toMatchObject({ event: 'recovery_failed', status: 'recovering', reason: 'storage_unavailable' });
  });
  it('turns a QR into qr_ready carrying the code, and counts messages', () => {
    expect(toOutbound({ kind: 'qr', sessionId: 's', qr: 'QR', expiresAt: at, attempt: 1, at })).toMatchObject({ event: 'qr_ready', status: 'qr_required', qr: 'QR' });
    expect(countedMessages({ kind: 'message-in', sessionId: 's', messages: [{ id: '1', from: 'f', timestamp: at, type: 'text' }] })).toBe(1);
    expect(countedMessages({ kind: 'receipt', sessionId: 's', messageId: 'm', remoteJid: 'r', status: 'read', at })).toBe(0);
  });
});
