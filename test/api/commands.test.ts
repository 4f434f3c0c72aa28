/**
 * The API's commands through real HTTP against a real in-process supervisor whose hosts are the
 * well-behaved fixture host (real forked processes, no WhatsApp): envelope, auth, idempotent
 * create, MAX_SESSIONS, status fields, restart/disconnect/logout/delete, sends, aliases, /ready,
 * /health and /docs. The Baileys path is in flow.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_ID_PATTERN_SOURCE } from '../../src/session-id.js';
import { fixtureHost } from '../supervisor/support/build.js';
import { alive } from '../supervisor/support/journal.js';
import { call, startApiWorker, TOKEN, until, type ApiWorker } from './support/api.js';

let w: ApiWorker;
beforeAll(async () => {
  w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, MAX_SESSIONS: '3' }, fixtureHost('good'));
});
afterAll(async () => {
  await w?.close();
});

const connected = (id: string) => until(async () => {
  const r = await call(w, 'GET', `/api/sessions/${id}`);
  return r.body.data?.status === 'connected' ? r.body.data : undefined;
}, 20_000, `${id} connected`);

describe('auth', () => {
  it('refuses /api/* without the right bearer token (401 UNAUTHORIZED) and serves it with', async () => {
    for (const token of [null, '', 'wrong', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const r = await call(w, 'GET', '/api/sessions', { token });
      expect(r.status, String(token)).toBe(401);
      expect(r.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
    }
    const ok = await call(w, 'GET', '/api/sessions');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ success: true, timestamp: expect.any(String), data: { sessions: [], total: 0, maxSessions: 3 } });
  });

  it('leaves /health, /ready, /live and /docs open, and did not warn about an open API', async () => {
    for (const path of ['/health', '/ready', '/live', '/docs/json']) expect((await call(w, 'GET', path, { token: null })).status, path).toBe(200);
    expect(w.logs.some((l) => String(l.msg).includes('OPEN'))).toBe(false);
  });

  it('warns loudly at start when WORKER_AUTH_TOKEN is unset', async () => {
    const open = await startApiWorker({}, fixtureHost('good'));
    try {
      expect(open.logs.find((l) => String(l.msg).includes('WORKER_AUTH_TOKEN is not set'))).toMatchObject({ level: 40 });
      expect((await call(open, 'GET', '/api/sessions', { token: null })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('sessions', () => {
  it('creates (201), is idempotent (200, same host), and reports pid, restarts and isRecovered', async () => {
    const created = await call(w, 'POST', '/api/sessions', { body: { sessionId: 'c1', userId: 'u1', name: 'First' } });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ sessionId: 'c1', userId: 'u1', name: 'First' });
    const view = await connected('c1');
    expect(view).toMatchObject({ sessionId: 'c1', status: 'connected', restarts: 0, isRecovered: false, reason: null, qr: null });
    expect(Object.keys(view).sort()).toEqual(['connectedAt', 'isRecovered', 'lastCloseCode', 'lastSeen', 'name', 'nextRestartAt', 'pairingCode', 'pairingCodeExpiresAt', 'phoneNumber', 'pid', 'proxy', 'qr', 'qrExpiresAt', 'reason', 'restarts', 'sessionId', 'status', 'userId']);
    expect(alive(view.pid)).toBe(true);
    const again = await call(w, 'POST', '/api/sessions', { body: { sessionId: 'c1' } });
    expect(again.status).toBe(200);
    expect(again.body.data.pid).toBe(view.pid);
    const list = await call(w, 'GET', '/api/sessions');
    expect(list.body.data.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(['c1']);
    const ids = async (query: string): Promise<string[]> =>
      (await call(w, 'GET', `/api/sessions${query}`)).body.data.sessions.map((s: { sessionId: string }) => s.sessionId);
    expect(await ids('?status=connected')).toEqual(['c1']);
    expect(await ids('?status=failed,qr_required')).toEqual([]);
    expect(await ids('?status=qr_required,connected')).toEqual(['c1']);
    const bad = await call(w, 'GET', '/api/sessions?status=online');
    expect(bad.status).toBe(400);
    expect(bad.body.success).toBe(false);
  });

  it('answers 429 MAX_SESSIONS_REACHED past MAX_SESSIONS, without starting a host', async () => {
    expect((await call(w, 'POST', '/api/sessions', { body: { sessionId: 'c2' } })).status).toBe(201);
    expect((await call(w, 'POST', '/session/create', { body: { sessionId: 'c3' } })).status).toBe(201);
    const over = await call(w, 'POST', '/api/session/start', { body: { sessionId: 'c4' } });
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ code: 'MAX_SESSIONS_REACHED', details: { maxSessions: 3 } });
    expect((await call(w, 'GET', '/api/sessions/c4')).status).toBe(404);
    expect(w.sup.sessions.registry.size).toBe(3);
    expect((await call(w, 'POST', '/api/sessions', { body: { sessionId: 'c3' } })).status).toBe(200);
  });

  it('restart gives a new host; disconnect stops it and keeps the session; ended sessions still answer', async () => {
    const before = await connected('c2');
    expect((await call(w, 'POST', '/api/sessions/c2/restart')).status).toBe(200);
    const after = await until(async () => {
      const v = (await call(w, 'GET', '/api/sessions/c2')).body.data;
      return v.status === 'connected' && v.pid !== before.pid ? v : undefined;
    }, 20_000, 'c2 on a new host');
    expect(alive(before.pid)).toBe(false);
    const d = await call(w, 'POST', '/api/session/c2/disconnect');
    expect(d.status).toBe(200);
    const stopped = await until(async () => {
      const v = (await call(w, 'GET', '/session/c2/status')).body.data;
      return v.status === 'disconnected' && v.pid === null ? v : undefined;
    }, 20_000, 'c2 disconnected');
    expect(stopped.sessionId).toBe('c2');
    expect(alive(after.pid)).toBe(false);
  });

  it('sends through a connected host (messageId back), 409 when not connected, 400 for a bad recipient', async () => {
    const sent = await call(w, 'POST', '/api/sessions/c1/messages', { body: { to: '+1 555 000 2222', type: 'text', text: 'hi' } });
    expect(sent.status).toBe(200);
    expect(sent.body.data).toEqual({ messageId: expect.stringMatching(/^FIX/), status: 'sent', timestamp: expect.any(String), to: '15550002222@s.whatsapp.net' });
    const media = await call(w, 'POST', '/api/c1/send', { body: { to: '15550002222@c.us', type: 'document', url: 'https://files.example/r.pdf', caption: 'report', fileName: 'r.pdf' } });
    expect(media.status).toBe(200);
    const legacy = await call(w, 'POST', '/api/c1/send', { body: { to: '15550002222', message: 'old shape' } });
    expect(legacy.status).toBe(200);
    const notConnected = await call(w, 'POST', '/api/sessions/c2/messages', { body: { to: '15550002222', type: 'text', text: 'hi' } });
    expect(notConnected.status).toBe(409);
    expect(notConnected.body.error).toMatchObject({ code: 'SESSION_NOT_CONNECTED', details: { status: 'disconnected' } });
    const bad = await call(w, 'POST', '/api/sessions/c1/messages', { body: { to: '0123456', type: 'text', text: 'hi' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_RECIPIENT');
    const unknown = await call(w, 'POST', '/api/sessions/nope/messages', { body: { to: '15550002222', type: 'text', text: 'hi' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('SESSION_NOT_FOUND');
  });

  it('NO_QR for a connected session; logout keeps a logged_out session listed; delete forgets it', async () => {
    const noQr = await call(w, 'GET', '/api/session/c1/qr');
    expect(noQr.status).toBe(404);
    expect(noQr.body.error).toMatchObject({ code: 'NO_QR', details: { status: 'connected' } });
    const { pid } = await connected('c1');
    expect((await call(w, 'POST', '/api/sessions/c1/logout')).status).toBe(200);
    const out = await until(async () => {
      const v = (await call(w, 'GET', '/api/sessions/c1')).body.data;
      return v.status === 'logged_out' && v.pid === null ? v : undefined;
    }, 20_000, 'c1 logged out');
    expect(out.sessionId).toBe('c1');
    expect(alive(pid)).toBe(false);
    const del = await call(w, 'DELETE', '/api/sessions/c1');
    expect(del.status).toBe(200);
    expect(del.body.data).toEqual({ sessionId: 'c1', deleted: true });
    expect((await call(w, 'GET', '/api/sessions/c1')).status).toBe(404);
    const { pid: pid3 } = await connected('c3');
    expect((await call(w, 'DELETE', '/api/session/c3')).status).toBe(200);
    expect(alive(pid3)).toBe(false);
    expect((await call(w, 'GET', '/api/session')).body.data.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(['c2']);
    expect((await call(w, 'DELETE', '/api/sessions/c3')).body.error.code).toBe('SESSION_NOT_FOUND');
  });
});

describe('operations', () => {
  it('/ready is 200 with recovery finished and storage reachable; /health has storage, recovery result and sessions by status', async () => {
    const ready = await call(w, 'GET', '/ready', { token: null });
    expect(ready.body.data).toMatchObject({ ready: true, recoveryFinished: true, storage: { driver: 'local', reachable: true } });
    const health = (await call(w, 'GET', '/health', { token: null })).body.data;
    expect(health).toMatchObject({
      status: 'ok',
      workerId: w.sup.workerId,
      version: w.sup.version,
      sessions: { total: 1, byStatus: { disconnected: 1 } },
      recovery: { phase: 'done' },
      recoveryResult: { total: 0, recovered: 0, failed: 0, failures: [] },
      storage: { driver: 'local', reachable: true },
    });
  });

  it('/ready is 503 NOT_READY when storage is unreachable', async () => {
    const down = await startApiWorker({ STORAGE_DRIVER: 'minio', MINIO_ENDPOINT: '127.0.0.1', MINIO_PORT: '9', STORAGE_TIMEOUT: '500' }, fixtureHost('good'));
    try {
      const r = await call(down, 'GET', '/ready');
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ code: 'NOT_READY', details: { ready: false, storage: { driver: 'minio', reachable: false } } });
      expect(r.body.error.message).toContain('storage');
    } finally {
      await down.close();
    }
  });

  it('/docs serves OpenAPI generated from the schemas, canonical and compat routes', async () => {
    const doc = (await call(w, 'GET', '/docs/json', { token: null })).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/api/sessions', '/api/sessions/{id}', '/api/sessions/{id}/qr', '/api/sessions/{id}/messages', '/api/sessions/{id}/logout', '/session/create', '/api/{sessionId}/send', '/api/session/{id}/status', '/api/sessions/start', '/api/sessions/{id}/status', '/api/message/{sessionId}/manage']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const create = doc.paths['/api/sessions'].post;
    expect(create.requestBody.content['application/json'].schema).toMatchObject({ additionalProperties: false, required: ['sessionId'] });
    expect(doc.paths['/api/sessions/{id}'].get.parameters[0].schema).toMatchObject({ pattern: SESSION_ID_PATTERN_SOURCE, maxLength: 160 });
    expect((await call(w, 'GET', '/docs', { token: null })).body.openapi).toBe('3.1.0');
    // Issue 14 §3: the idempotency header, clientMessageId and the 202 pending answer, canonical and compat.
    for (const p of ['/api/sessions/{id}/messages', '/api/{sessionId}/send']) {
      const send = doc.paths[p].post;
      expect(send.parameters.find((x: { in: string; name: string }) => x.in === 'header' && x.name === 'idempotency-key')?.schema, p).toMatchObject({ maxLength: 255 });
      expect(JSON.stringify(send.requestBody.content['application/json'].schema), p).toContain('clientMessageId');
      expect(send.responses['202'].content['application/json'].schema.properties.data.properties.status.enum, p).toEqual(['pending', 'sent']);
    }
  });
});
