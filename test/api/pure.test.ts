/**
 * The API's pure decisions, without sockets: recipients, which requests need the token, how
 * registry errors become HTTP answers, readiness, the recovery summary of /health, and when QR
 * codes go to the terminal.
 */
import { describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.js';
import type { RecoveryResult } from '../../src/session-view.js';
import { summarizeRecovery } from '../../supervisor/health.js';
import { HttpError } from '../../supervisor/http/http-error.js';
import { needsAuth } from '../../supervisor/http/routes/auth.js';
import { toHttpError } from '../../supervisor/http/routes/errors.js';
import { readiness } from '../../supervisor/http/routes/ready.js';
import { StorageProbe } from '../../supervisor/http/routes/storage-probe.js';
import { normalizeRecipient, toOutgoing } from '../../supervisor/http/schemas/recipient.js';
import { shouldPrintQr } from '../../supervisor/qr/terminal-qr.js';
import type { WorkerErrorCode } from '../../src/error-codes.js';

describe('normalizeRecipient', () => {
  it('turns phone numbers into user JIDs, tolerating + and separators', () => {
    expect(normalizeRecipient('15550001111')).toBe('15550001111@s.whatsapp.net');
    expect(normalizeRecipient('+1 (555) 000-1111')).toBe('15550001111@s.whatsapp.net');
  });
  it('keeps JIDs and maps the old @c.us suffix', () => {
    expect(normalizeRecipient('15550001111@s.whatsapp.net')).toBe('15550001111@s.whatsapp.net');
    expect(normalizeRecipient('15550001111@c.us')).toBe('15550001111@s.whatsapp.net');
    expect(normalizeRecipient('120363025246125486@g.us')).toBe('120363025246125486@g.us');
    expect(normalizeRecipient('1234567890123@lid')).toBe('1234567890123@lid');
  });
  it.each(['1234', '0044123456', '1234567890123456', 'abc', 'x@y', '15550001111@evil.com', '../x@s.whatsapp.net', ''])('refuses %j with a 400 INVALID_RECIPIENT', (to) => {
    let thrown: unknown;
    try {
      normalizeRecipient(to);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect(thrown).toMatchObject({ statusCode: 400, code: 'INVALID_RECIPIENT' });
  });
});

describe('toOutgoing', () => {
  it('maps every body shape onto the IPC message, dropping what a type does not carry', () => {
    expect(toOutgoing({ to: 'x', type: 'text', text: 'hi' })).toEqual({ type: 'text', text: 'hi' });
    expect(toOutgoing({ to: 'x', message: 'legacy' })).toEqual({ type: 'text', text: 'legacy' });
    expect(toOutgoing({ to: 'x', type: 'image', url: 'https://a/b.png', caption: 'c' })).toEqual({ type: 'image', url: 'https://a/b.png', caption: 'c' });
    expect(toOutgoing({ to: 'x', type: 'audio', url: 'https://a/b.ogg', caption: 'ignored', ptt: true })).toEqual({ type: 'audio', url: 'https://a/b.ogg', ptt: true });
    expect(toOutgoing({ to: 'x', type: 'document', url: 'https://a/r.pdf', fileName: 'r.pdf', caption: 'c', mimetype: 'application/pdf' })).toEqual({
      type: 'document', url: 'https://a/r.pdf', fileName: 'r.pdf', caption: 'c', mimetype: 'application/pdf',
    });
  });
});

describe('needsAuth', () => {
  it('protects matched API and seed routes', () => {
    expect(needsAuth('/api/sessions/:id', '/api/sessions/a')).toBe(true);
    expect(needsAuth('/session/create', '/session/create')).toBe(true);
    expect(needsAuth('/api', '/api')).toBe(true);
  });
  it('protects unmatched paths under /api whatever their spelling', () => {
    for (const url of ['/api/nope', '/API/sessions', '/%61pi/sessions', '//api/sessions', '/api?x=1', '/Session/x']) expect(needsAuth(undefined, url), url).toBe(true);
  });
  it('leaves health, readiness, liveness, docs and metrics open, and does not match mere prefixes', () => {
    for (const url of ['/health', '/ready', '/live', '/docs/json', '/metrics', '/apix', '/sessions-x']) expect(needsAuth(undefined, url), url).toBe(false);
    expect(needsAuth('/health', '/health')).toBe(false);
  });
});

describe('toHttpError', () => {
  it.each<[WorkerErrorCode, number, string]>([
    ['SESSION_NOT_FOUND', 404, 'SESSION_NOT_FOUND'],
    ['MAX_SESSIONS_REACHED', 429, 'MAX_SESSIONS_REACHED'],
    ['SESSION_NOT_CONNECTED', 409, 'SESSION_NOT_CONNECTED'],
    ['NOT_CONNECTED', 409, 'SESSION_NOT_CONNECTED'],
    ['HOST_EXITED', 409, 'SESSION_NOT_CONNECTED'],
    ['INVALID_RECIPIENT', 400, 'INVALID_RECIPIENT'],
    ['SHUTTING_DOWN', 503, 'SHUTTING_DOWN'],
    ['SEND_TIMEOUT', 504, 'SEND_TIMEOUT'],
    ['SEND_FAILED', 502, 'SEND_FAILED'],
  ])('%s → %i %s', (code, status, shown) => {
    const mapped = toHttpError(new WorkerError(code, 'm', { details: { sessionId: 'a' } }));
    expect(mapped).toBeInstanceOf(HttpError);
    expect(mapped).toMatchObject({ statusCode: status, code: shown, details: { sessionId: 'a' } });
  });
  it('leaves unknown codes and foreign errors alone (they stay a 500 with a fixed message)', () => {
    const unknown = new WorkerError('STORAGE_UNAVAILABLE', 's3.internal refused');
    expect(toHttpError(unknown)).toBe(unknown);
    const plain = new Error('x');
    expect(toHttpError(plain)).toBe(plain);
  });
});

describe('readiness', () => {
  const up = { driver: 'local' as const, reachable: true, checkedAt: 'now' };
  it('needs recovery finished, storage reachable and no shutdown', () => {
    expect(readiness({ recoveryFinished: true, storage: up, closing: false }).ready).toBe(true);
    expect(readiness({ recoveryFinished: false, storage: up, closing: false }).ready).toBe(false);
    expect(readiness({ recoveryFinished: true, storage: { ...up, reachable: null }, closing: false }).ready).toBe(false);
    expect(readiness({ recoveryFinished: true, storage: { ...up, reachable: false }, closing: false }).ready).toBe(false);
    expect(readiness({ recoveryFinished: true, storage: up, closing: true }).ready).toBe(false);
  });
});

describe('StorageProbe', () => {
  it('shares one ping among concurrent callers, caches it, and reports failures by code only', async () => {
    let now = 0;
    let pings = 0;
    let fail = false;
    const probe = new StorageProbe({
      driver: 'minio',
      now: () => now,
      maxAgeMs: 1000,
      ping: async () => {
        pings++;
        if (fail) throw new WorkerError('STORAGE_UNAVAILABLE', 'connect ECONNREFUSED 10.0.0.7:9000');
      },
    });
    expect(probe.status()).toEqual({ driver: 'minio', reachable: null, checkedAt: null });
    const [a, b] = await Promise.all([probe.check(), probe.check()]);
    expect(pings).toBe(1);
    expect(a).toEqual(b);
    expect(a.reachable).toBe(true);
    await probe.check();
    expect(pings).toBe(1);
    now += 1500;
    fail = true;
    const down = await probe.check();
    expect(pings).toBe(2);
    expect(down).toMatchObject({ reachable: false, errorCode: 'STORAGE_UNAVAILABLE' });
    expect(JSON.stringify(down)).not.toContain('10.0.0.7');
  });
});

describe('summarizeRecovery', () => {
  const r = (sessionId: string, outcome: RecoveryResult['outcome'], extra: Partial<RecoveryResult> = {}): RecoveryResult => ({
    sessionId, outcome, status: outcome === 'recovered' ? 'connected' : 'failed', phoneNumber: null, attempts: 1, durationMs: 5, at: 'now', ...extra,
  });
  it('counts outcomes and lists failures with their reason, bounded', () => {
    const results = [r('a', 'recovered'), r('b', 'skipped'), ...Array.from({ length: 25 }, (_, i) => r(`f${i}`, 'failed', { reason: 'bad_session', error: 'boom' }))];
    const s = summarizeRecovery(results);
    expect(s).toMatchObject({ total: 27, recovered: 1, skipped: 1, failed: 25, moreFailures: 5 });
    expect(s.failures).toHaveLength(20);
    expect(s.failures[0]).toEqual({ sessionId: 'f0', status: 'failed', reason: 'bad_session', error: 'boom' });
  });
});

describe('shouldPrintQr', () => {
  it('prints only in standalone mode on a terminal', () => {
    expect(shouldPrintQr({ standalone: true, isTTY: true })).toBe(true);
    expect(shouldPrintQr({ standalone: true, isTTY: undefined })).toBe(false);
    expect(shouldPrintQr({ standalone: false, isTTY: true })).toBe(false);
  });
});
