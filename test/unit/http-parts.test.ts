import { describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.js';
import { buildHealthReport, countSessions } from '../../supervisor/health.js';
import { fail, ok } from '../../supervisor/http/envelope.js';
import { renderError } from '../../supervisor/http/error-handler.js';
import { HttpError } from '../../supervisor/http/http-error.js';

const at = new Date('2026-01-02T03:04:05.000Z');

describe('envelope', () => {
  it('wraps data and errors in the design.md §9 shape', () => {
    expect(ok({ a: 1 }, at)).toEqual({ success: true, timestamp: '2026-01-02T03:04:05.000Z', data: { a: 1 } });
    expect(fail({ code: 'X', message: 'm' }, at)).toEqual({ success: false, timestamp: '2026-01-02T03:04:05.000Z', error: { code: 'X', message: 'm' } });
    expect(fail({ code: 'X', message: 'm', details: { k: 1 } }, at).error.details).toEqual({ k: 1 });
  });
});

describe('renderError', () => {
  it('keeps the status, code and message of an HttpError', () => {
    expect(renderError(new HttpError(409, 'SESSION_NOT_CONNECTED', 'busy', { id: 'a' }))).toEqual({ statusCode: 409, body: { code: 'SESSION_NOT_CONNECTED', message: 'busy', details: { id: 'a' } } });
  });
  it('maps schema validation failures to 400 VALIDATION_FAILED', () => {
    const err = Object.assign(new Error('body/sessionId must match pattern'), { validation: [{}], statusCode: 400 });
    expect(renderError(err)).toEqual({ statusCode: 400, body: { code: 'VALIDATION_FAILED', message: 'body/sessionId must match pattern' } });
  });
  it('passes fastify client errors through with their code', () => {
    const err = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    expect(renderError(err)).toEqual({ statusCode: 415, body: { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', message: 'Unsupported Media Type' } });
  });
  it('hides the message of anything else behind a 500', () => {
    expect(renderError(new Error('ENOENT /secret/path'))).toEqual({ statusCode: 500, body: { code: 'INTERNAL', message: 'internal error' } });
    expect(renderError(new WorkerError('STORAGE_UNAVAILABLE', 'host s3.internal refused'))).toEqual({ statusCode: 500, body: { code: 'STORAGE_UNAVAILABLE', message: 'internal error' } });
    expect(renderError('a string')).toEqual({ statusCode: 500, body: { code: 'INTERNAL', message: 'internal error' } });
  });
});

describe('health report', () => {
  const base = {
    closing: false, workerId: 'w', version: '1.0.0', mode: 'standalone' as const, backendProfile: 'seed', maxSessions: 10,
    startedAtMs: 0, nowMs: 12_999, sessionStatuses: [], memory: { rss: 100, heapUsed: 50 }, pid: 42, nodeVersion: 'v20.0.0',
  };
  it('counts sessions by status', () => {
    expect(countSessions(['connected', 'failed', 'connected'])).toEqual({ total: 3, byStatus: { connected: 2, failed: 1 } });
    expect(countSessions([])).toEqual({ total: 0, byStatus: {} });
  });
  it('builds the /health body; the profile appears only in backend mode', () => {
    expect(buildHealthReport(base)).toEqual({
      status: 'ok', workerId: 'w', version: '1.0.0', mode: 'standalone', uptimeSeconds: 12, maxSessions: 10,
      sessions: { total: 0, byStatus: {} }, pid: 42, nodeVersion: 'v20.0.0', memory: { rssBytes: 100, heapUsedBytes: 50 },
    });
    expect(buildHealthReport({ ...base, mode: 'backend' }).backendProfile).toBe('seed');
    expect(buildHealthReport({ ...base, closing: true }).status).toBe('shutting_down');
    expect(buildHealthReport({ ...base, nowMs: -5 }).uptimeSeconds).toBe(0);
  });
});
