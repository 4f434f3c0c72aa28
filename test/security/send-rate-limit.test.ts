/**
 * Issue 16 §4: per-session send rate limit. The pure token bucket, the limiter with a test clock,
 * and the real API (in-process supervisor, real forked fixture hosts, real HTTP): over the burst a
 * send answers 429 RATE_LIMITED with Retry-After, per session, on every send route, and attempts
 * that never reached a host do not use up the budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.js';
import { limitSends, SendRateLimiter } from '../../supervisor/http/send-rate-limit.js';
import type { SessionCommands } from '../../supervisor/http/routes/api-deps.js';
import { take, type TokenBucketState } from '../../supervisor/policy/token-bucket.js';
import { call, startApiWorker, TOKEN, until, type ApiWorker } from '../api/support/api.js';
import { fixtureHost } from '../supervisor/support/build.js';
import type { WorkerErrorCode } from '../../src/error-codes.js';

const SETTINGS = { perMinute: 60, burst: 3 };

describe('token bucket (pure)', () => {
  it('starts full, allows the burst, then one per 60/perMinute seconds, and says how long to wait', () => {
    let s: TokenBucketState | undefined;
    for (let i = 0; i < 3; i++) {
      const r = take(s, SETTINGS, 1_000);
      expect(r.allowed).toBe(true);
      s = r.state;
    }
    const denied = take(s, SETTINGS, 1_000);
    expect(denied).toMatchObject({ allowed: false, retryAfterMs: 1_000 });
    expect(take(denied.state, SETTINGS, 1_500)).toMatchObject({ allowed: false, retryAfterMs: 500 });
    const later = take(denied.state, SETTINGS, 2_000);
    expect(later.allowed).toBe(true);
    // Refill is capped at the burst, and a clock that goes back adds nothing.
    expect(take(later.state, SETTINGS, 10_000_000).state.tokens).toBe(2);
    expect(take(later.state, SETTINGS, 0)).toMatchObject({ allowed: false });
  });
});

describe('send limiter', () => {
  const sent: string[] = [];
  const commands = (fail?: WorkerErrorCode): SessionCommands =>
    ({
      send: async (id: string) => {
        if (fail) throw new WorkerError(fail, fail);
        sent.push(id);
        return { messageId: 'm', status: 'sent', timestamp: '', to: '' };
      },
    }) as unknown as SessionCommands;

  it('429 with Retry-After past the burst, per session; refused attempts give their token back', async () => {
    let now = 0;
    const limiter = new SendRateLimiter(SETTINGS, () => now);
    const limited = limitSends(commands(), limiter);
    const msg = { type: 'text', text: 'x' } as const;
    for (let i = 0; i < 3; i++) await limited.send('a', 'to', msg);
    const err = await limited.send('a', 'to', msg).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', headers: { 'retry-after': '1' }, details: { retryAfterSeconds: 1 } });
    await limited.send('b', 'to', msg);
    now = 1_000;
    await limited.send('a', 'to', msg);
    expect(sent).toEqual(['a', 'a', 'a', 'b', 'a']);

    const notConnected = limitSends(commands('SESSION_NOT_CONNECTED'), limiter);
    for (let i = 0; i < 10; i++) await expect(notConnected.send('c', 'to', msg)).rejects.toMatchObject({ code: 'SESSION_NOT_CONNECTED' });
    await limitSends(commands(), limiter).send('c', 'to', msg);
    // A failure after the host took it (SEND_FAILED) used its token.
    const failing = limitSends(commands('SEND_FAILED'), limiter);
    for (let i = 0; i < 3; i++) await expect(failing.send('d', 'to', msg)).rejects.toMatchObject({ code: 'SEND_FAILED' });
    await expect(failing.send('d', 'to', msg)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('an idempotent replay (same Idempotency-Key) sends nothing and costs nothing', async () => {
    const limiter = new SendRateLimiter(SETTINGS, () => 0);
    const replaying = limitSends({ send: async () => ({ messageId: 'm', status: 'sent', timestamp: '', to: '', replayed: true }) } as unknown as SessionCommands, limiter);
    for (let i = 0; i < 10; i++) await replaying.send('r', 'to', { type: 'text', text: 'x' }, 'key-1');
  });

  it('0 per minute is off; memory follows the sessions that send', async () => {
    const off = new SendRateLimiter({ perMinute: 0, burst: 1 });
    const wrapped = limitSends(commands(), off);
    for (let i = 0; i < 50; i++) await wrapped.send('a', 'to', { type: 'text', text: 'x' });
    let now = 0;
    const limiter = new SendRateLimiter(SETTINGS, () => now);
    for (let i = 0; i < 300; i++) limiter.take(`s${i}`);
    now = 60_000;
    for (let i = 0; i < 300; i++) {
      now += 1_000; // one a second: exactly the sustained rate, never limited
      limiter.take('busy');
    }
    expect(limiter.size).toBeLessThan(100);
  });
});

describe('send rate limit through the API', () => {
  let w: ApiWorker;
  beforeAll(async () => {
    w = await startApiWorker({ WORKER_AUTH_TOKEN: TOKEN, SEND_RATE_LIMIT_PER_MINUTE: '60', SEND_RATE_LIMIT_BURST: '3' }, fixtureHost('good'));
    for (const id of ['rl1', 'rl2']) expect((await call(w, 'POST', '/api/sessions', { body: { sessionId: id } })).status).toBeLessThan(300);
    for (const id of ['rl1', 'rl2']) {
      await until(async () => ((await call(w, 'GET', `/api/sessions/${id}`)).body.data?.status === 'connected' ? true : undefined), 20_000, `${id} connected`);
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  const text = (id: string) => call(w, 'POST', `/api/sessions/${id}/messages`, { body: { to: '15550002222', type: 'text', text: 'hi' } });

  it('the burst goes through, the next send is 429 RATE_LIMITED with Retry-After; other sessions are not affected', async () => {
    // Bad input is refused before the limiter: it costs nothing.
    for (let i = 0; i < 5; i++) expect((await call(w, 'POST', '/api/sessions/rl1/messages', { body: { to: '0123', type: 'text', text: 'x' } })).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await text('rl1')).status).toBe(200);
    const limited = await call(w, 'POST', '/api/rl1/send', { body: { to: '15550002222', message: 'legacy alias' } });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } } });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await text('rl2')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await text('rl1')).status).toBe(200);
    expect((await text('rl1')).status).toBe(429);
  });

  it('the OpenAPI documents the limit', async () => {
    const doc = (await call(w, 'GET', '/docs/json')).body;
    const op = doc.paths['/api/sessions/{id}/messages'].post;
    for (const text of ['429 RATE_LIMITED', 'Retry-After', 'SEND_RATE_LIMIT_PER_MINUTE', 'SEND_RATE_LIMIT_BURST']) expect(op.description).toContain(text);
  });
});
