/**
 * The fake whatsam backend with `realism` on answers as the real one does (facts in
 * whatsam-realism.ts): its two rate limiters with their real numbers, the health probe and the
 * 409s of registration, id normalisation, unknown fields stripped (and recorded), message-status
 * 404. Without `realism` none of it happens (other tests stay fast and keep their answers).
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeBackend } from './server.js';
import { FixedWindowLimiter, REAL_WHATSAM } from './whatsam-realism.js';

const TOKEN = 'fake-token';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
let fake: FakeBackend;
const servers: Server[] = [];

afterEach(async () => {
  await fake?.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function post(path: string, body: unknown, method = 'POST'): Promise<Response> {
  const key = (body as { idempotencyKey?: string }).idempotencyKey;
  return fetch(`${fake.url}${path}`, { method, headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body) });
}

/** A worker's /health that answers `status`. */
async function workerEndpoint(status = 200): Promise<string> {
  const s = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
}

const register = (workerId: string, endpoint: string) =>
  post('/api/workers/register', { workerId, endpoint, maxSessions: 10, description: 'd', version: '1.0.0', environment: 'TESTING' });

const status = (i: number) => ({ idempotencyKey: `k${i}`, sessionId: 's1', status: 'CONNECTED' });

describe('express-rate-limit 7 fixed window (pure)', () => {
  it('counts from the first hit, refuses past the limit with Retry-After to the window end, restarts after it', () => {
    const l = new FixedWindowLimiter({ limit: 2, windowMs: 60_000 }, 'legacy');
    expect(l.hit('ip', 1_000).allowed).toBe(true);
    expect(l.hit('ip', 2_000)).toMatchObject({ allowed: true, headers: { 'X-RateLimit-Remaining': '0' } });
    const refused = l.hit('ip', 31_000);
    expect(refused).toMatchObject({ allowed: false, headers: { 'Retry-After': '30', 'X-RateLimit-Limit': '2' } });
    expect(l.hit('other', 31_000).allowed).toBe(true);
    expect(l.hit('ip', 61_000).allowed).toBe(true);
    const draft = new FixedWindowLimiter({ limit: 1000, windowMs: 900_000 }, 'draft-6').hit('ip', 0);
    expect(draft.headers).toMatchObject({ 'RateLimit-Policy': '1000;w=900', 'RateLimit-Remaining': '999', 'RateLimit-Reset': '900' });
  });
});

describe('fake whatsam backend, realism on', () => {
  it('webhooks share 60 a minute per IP (worker-heartbeat too): the 61st answers 429 with Retry-After; /api counts every request', async () => {
    fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN, realism: REAL_WHATSAM });
    const endpoint = await workerEndpoint();
    expect((await register('worker-1', endpoint)).status).toBe(201);
    const answers: Response[] = [];
    for (let i = 0; i < 59; i++) answers.push(await post('/api/webhooks/session-status', status(i)));
    answers.push(await post('/api/webhooks/worker-heartbeat', { workerId: 'worker-1', status: 'ONLINE' }));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(200));
    expect(answers[0]!.headers.get('x-ratelimit-limit')).toBe('60');
    expect(answers[0]!.headers.get('ratelimit-policy')).toBe('1000;w=900');
    const refused = await post('/api/webhooks/message-status', { idempotencyKey: 'm', sessionId: 's1', messageId: 'ABC', status: 'SENT' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(50);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({ success: false, error: 'Session operation rate limit exceeded' });
    expect(fake.calls.at(-1)).toMatchObject({ route: 'message-status', status: 429, limitedBy: 'webhooks' });
    // Not a webhook: only the 1,000 per 15 minutes applies (62 used so far, the refused one too).
    expect((await fetch(`${fake.url}/api/workers/worker-1/sessions/assigned`, { headers: auth })).headers.get('ratelimit-remaining')).toBe('937');
    // A bad token is refused before the webhook limiter counts it.
    expect((await fetch(`${fake.url}/api/webhooks/session-status`, { method: 'POST', headers: { ...auth, authorization: 'Bearer nope' }, body: JSON.stringify(status(99)) })).status).toBe(401);
  });

  it('/api allows 1,000 requests per 15 minutes per IP, then 429 with draft-6 headers and Retry-After', async () => {
    fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN, realism: { rateLimits: true } });
    const codes = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const r = await fetch(`${fake.url}/api/nowhere`, { headers: auth });
      codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
    }
    expect(codes).toEqual(new Map([[404, 1000]]));
    const refused = await fetch(`${fake.url}/api/workers/w-1/sessions/assigned`, { headers: auth });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(800);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(await refused.json()).toEqual({ success: false, error: 'Too many requests from this IP, please try again later' });
  });

  it('registration probes WORKER_ENDPOINT/health (503 when it is not a 200) and answers 409 on a held endpoint or a moved id', async () => {
    fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN, realism: REAL_WHATSAM });
    const down = await workerEndpoint(503);
    const refusedProbe = await register('worker-1', down);
    expect(refusedProbe.status).toBe(503);
    expect(await refusedProbe.json()).toMatchObject({ error: 'Service Unavailable', message: `Worker endpoint returned error 503: ${down}. Please check worker service health.` });
    const closed = await register('worker-1', 'http://127.0.0.1:1');
    expect(((await closed.json()) as { message: string }).message).toBe('Worker endpoint is not reachable: http://127.0.0.1:1. Please check if the worker service is running.');
    expect(fake.probes.map((p) => p.outcome)).toEqual([503, 'ECONNREFUSED']);
    expect(fake.workers.size).toBe(0);

    const endpoint = await workerEndpoint();
    expect((await register('Worker_1', endpoint)).status).toBe(201);
    expect([...fake.workers.keys()]).toEqual(['worker-1']); // normalised
    const taken = await register('worker-2', endpoint);
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: 'Conflict', message: `Endpoint ${endpoint} is already registered by worker worker-1` });
    const moved = await register('worker-1', await workerEndpoint());
    expect(moved.status).toBe(409);
    expect(((await moved.json()) as { message: string }).message).toBe(`Worker ID worker-1 is already registered with endpoint ${endpoint}`);
    expect((await register('worker-1', endpoint)).status).toBe(201); // same id, same endpoint: a restart
  });

  it('strips unknown fields (recorded, and listed by invalidCalls) but refuses a bad known field; message-status 404 for ids it never stored', async () => {
    fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN, realism: { stripUnknown: true, unknownMessages: true } });
    fake.workers.set('worker-1', { endpoint: 'http://x', registrations: 1 });
    expect((await post('/api/workers/worker-1/heartbeat', { sessions: [{ sessionId: 's', status: 'CONNECTED', mood: 'happy' }], extra: 1 }, 'PUT')).status).toBe(200);
    expect(fake.calls.at(-1)).toMatchObject({ valid: true, stripped: ['/sessions/0/mood', '/extra'] });
    expect(fake.invalidCalls()).toHaveLength(1);
    expect((await post('/api/workers/worker-1/heartbeat', { sessions: [{ sessionId: 's', status: 'connected' }] }, 'PUT')).status).toBe(400);
    const receipt = { idempotencyKey: 'm1', sessionId: 's1', messageId: 'ABC', status: 'SENT' };
    expect((await post('/api/webhooks/message-status', receipt)).status).toBe(404);
    fake.knownMessages.add('ABC');
    expect((await post('/api/webhooks/message-status', { ...receipt, idempotencyKey: 'm2' })).status).toBe(200);
  });

  it('without realism: no limiter headers, no probe, unknown fields refused', async () => {
    fake = await FakeBackend.start({ profile: 'whatsam', token: TOKEN });
    const r = await register('worker-1', 'http://127.0.0.1:1');
    expect(r.status).toBe(201);
    expect(r.headers.get('ratelimit-limit')).toBeNull();
    expect(fake.probes).toEqual([]);
    expect((await post('/api/workers/worker-1/heartbeat', { sessions: [], extra: 1 }, 'PUT')).status).toBe(400);
  });
});
