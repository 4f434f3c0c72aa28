import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.js';
import type { MediaErrorCode } from '../../src/media/media-errors.js';
import { toHttpError } from '../../supervisor/http/routes/errors.js';
import { HttpError } from '../../supervisor/http/http-error.js';
import { call, REAL_HOST, startApiWorker, TOKEN, type ApiWorker } from '../api/support/api.js';

/**
 * The API refuses media URLs it can judge without DNS before any host is asked (issue 16 §3), and
 * a host's verdict on a name is a 4xx too. A real supervisor over a real socket; no session exists,
 * so an answer other than 400 proves the URL passed the check.
 */
let strict: ApiWorker;
let open: ApiWorker;

beforeAll(async () => {
  strict = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, LOG_LEVEL: 'fatal' }, REAL_HOST);
  open = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, LOG_LEVEL: 'fatal', MEDIA_ALLOW_PRIVATE_URLS: 'true' }, REAL_HOST);
});
afterAll(async () => {
  await strict?.close();
  await open?.close();
});

const send = (w: ApiWorker, url: string, type = 'image') => call(w, 'POST', '/api/sessions/nobody/messages', { body: { to: '15550001111', type, url } });

describe('POST /api/sessions/:id/messages with a media URL', () => {
  it.each([
    ['http://127.0.0.1:9000/bucket/secret', 'loopback'],
    ['http://10.0.0.8/intranet.png', 'private'],
    ['http://169.254.169.254/latest/meta-data/iam/', 'metadata'],
    ['http://[::1]/x.png', 'loopback'],
    ['https://localhost/x.png', 'loopback'],
    ['http://[::ffff:192.168.1.1]/x.png', 'private'],
    ['http://100.64.0.1/x.png', 'cgnat'],
  ])('%s → 400 MEDIA_URL_BLOCKED (%s), nothing asked of a host', async (url, range) => {
    const res = await send(strict, url);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MEDIA_URL_BLOCKED');
    expect(res.body.error.message).toContain(range);
  });

  it('the same URL passes the check with MEDIA_ALLOW_PRIVATE_URLS=true (then: no such session)', async () => {
    const res = await send(open, 'http://127.0.0.1:9000/bucket/secret');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('SESSION_NOT_FOUND');
  });

  it('a public address or a name passes the check (names are judged by the host when resolved)', async () => {
    expect((await send(strict, 'https://cdn.example.com/a.png', 'document')).status).toBe(404);
    expect((await send(strict, 'http://93.184.216.34/a.png')).status).toBe(404);
  });

  it('a non-http(s) URL is refused by the schema', async () => {
    const res = await send(strict, 'file:///etc/passwd');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('the OpenAPI documents the media rules and error codes', async () => {
    const doc = (await call(strict, 'GET', '/docs/json')).body;
    const op = doc.paths['/api/sessions/{id}/messages'].post;
    for (const text of ['MEDIA_ALLOW_PRIVATE_URLS', 'MEDIA_URL_BLOCKED', 'MEDIA_TOO_LARGE', 'MEDIA_FETCH_FAILED', 'MEDIA_FETCH_TIMEOUT']) expect(op.description).toContain(text);
  });
});

describe("a host's media verdict as an HTTP answer", () => {
  it.each<[MediaErrorCode, number]>([
    ['MEDIA_URL_BLOCKED', 400],
    ['MEDIA_URL_INVALID', 400],
    ['MEDIA_TOO_LARGE', 413],
    ['MEDIA_FETCH_FAILED', 422],
    ['MEDIA_FETCH_TIMEOUT', 422],
  ])('%s → %i', (code, status) => {
    const mapped = toHttpError(new WorkerError(code, 'from the host'));
    expect(mapped).toBeInstanceOf(HttpError);
    expect((mapped as HttpError).statusCode).toBe(status);
    expect((mapped as HttpError).code).toBe(code);
  });
});
