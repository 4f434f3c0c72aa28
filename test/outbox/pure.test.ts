import { describe, expect, it } from 'vitest';
import { decide, parseRetryAfter, type PolicyContext } from '../../supervisor/outbox/delivery-policy.js';
import { idempotencyKey, splitMessages } from '../../supervisor/outbox/keys.js';
import { pickNext } from '../../supervisor/outbox/pick.js';
import { RateBudget } from '../../supervisor/outbox/rate-budget.js';
import { webhookBody } from '../../supervisor/backend/profiles/webhook.js';
import { signature } from '../../supervisor/outbox/webhook-sink.js';
import type { OutboundEvent } from '../../supervisor/backend/contract.js';

const AT = '2024-01-01T00:00:00.000Z';
const ctx = (over: Partial<PolicyContext> = {}): PolicyContext => ({
  attempt: 1, rejections: 0, rejectRetries: 3, unknownOn404: false, backoffMs: (a) => a * 100, nowMs: 1_000_000, maxRetryAfterMs: 60_000, ...over,
});

describe('delivery policy', () => {
  it('2xx delivers; no answer, 408, 5xx and 401/403 retry with backoff, never dead-letter', () => {
    expect(decide({ kind: 'answered', status: 204 }, ctx())).toEqual({ action: 'delivered' });
    for (const status of [408, 500, 502, 503, 401, 403]) {
      expect(decide({ kind: 'answered', status }, ctx({ attempt: 7, rejections: 99 }))).toMatchObject({ action: 'retry', delayMs: 700, rejected: false });
    }
    expect(decide({ kind: 'no-answer', code: 'BACKEND_TIMEOUT' }, ctx({ attempt: 2 }))).toEqual({ action: 'retry', delayMs: 200, rejected: false, reason: 'BACKEND_TIMEOUT' });
  });

  it('4xx retries rejectRetries times in all, then dead-letters', () => {
    expect(decide({ kind: 'answered', status: 400 }, ctx({ rejections: 0 }))).toMatchObject({ action: 'retry', rejected: true });
    expect(decide({ kind: 'answered', status: 422 }, ctx({ rejections: 1 }))).toMatchObject({ action: 'retry', rejected: true });
    expect(decide({ kind: 'answered', status: 422 }, ctx({ rejections: 2 }))).toEqual({ action: 'dead', reason: 'HTTP 422' });
    expect(decide({ kind: 'answered', status: 404 }, ctx({ rejections: 2 }))).toEqual({ action: 'dead', reason: 'HTTP 404' });
  });

  it('404 is an unknown message only where the profile says so', () => {
    expect(decide({ kind: 'answered', status: 404 }, ctx({ unknownOn404: true }))).toEqual({ action: 'unknown', status: 404 });
    expect(decide({ kind: 'answered', status: 400 }, ctx({ unknownOn404: true }))).toMatchObject({ action: 'retry', rejected: true });
  });

  it('429 waits Retry-After (seconds or date, capped), else the backoff; never counts as a rejection', () => {
    expect(decide({ kind: 'answered', status: 429, retryAfter: '7' }, ctx({ rejections: 2 }))).toEqual({ action: 'throttled', delayMs: 7000 });
    expect(decide({ kind: 'answered', status: 429 }, ctx({ attempt: 3 }))).toEqual({ action: 'throttled', delayMs: 300 });
    expect(decide({ kind: 'answered', status: 429, retryAfter: '86400' }, ctx())).toEqual({ action: 'throttled', delayMs: 60_000 });
    expect(parseRetryAfter(new Date(1_000_000 + 5000).toUTCString(), 1_000_000)).toBe(5000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
  });
});

describe('lane pick', () => {
  const p = (seq: number, sessionId: string, qr = false) => ({ seq, sessionId, qr });
  it('without coalescing: strictly the oldest', () => {
    expect(pickNext([p(3, 'a'), p(1, 'b', true), p(2, 'a')], false)).toEqual({ next: 1, superseded: [] });
    expect(pickNext([], true)).toEqual({ next: null, superseded: [] });
  });
  it('with coalescing: each session\'s newest only, QR codes first, then the oldest', () => {
    expect(pickNext([p(1, 'a'), p(2, 'b'), p(3, 'a'), p(4, 'c', true), p(5, 'b')], true)).toEqual({ next: 4, superseded: [1, 2] });
    expect(pickNext([p(1, 'a', true), p(2, 'a')], true)).toEqual({ next: 2, superseded: [1] }); // a newer status beats an old QR
    expect(pickNext([p(2, 'b'), p(1, 'a')], true)).toEqual({ next: 1, superseded: [] });
  });
});

describe('rate budget', () => {
  it('refills evenly; low priority keeps the reserve for high priority', () => {
    const b = new RateBudget(60, 0); // one token a second, reserve 30
    for (let i = 0; i < 30; i++) {
      expect(b.waitMs('low', 0)).toBe(0);
      b.take(0);
    }
    expect(b.waitMs('low', 0)).toBe(1000);
    expect(b.waitMs('high', 0)).toBe(0);
    for (let i = 0; i < 30; i++) b.take(0);
    expect(b.waitMs('high', 0)).toBe(1000);
    expect(b.waitMs('high', 1000)).toBe(0);
    b.drain(1000);
    expect(b.waitMs('high', 1500)).toBe(500);
    const none = new RateBudget(0, 0);
    none.take(0);
    expect(none.waitMs('low', 0)).toBe(0);
  });
});

describe('idempotency keys and webhook bodies', () => {
  const m = (id: string) => ({ id, from: 'x@s.whatsapp.net', timestamp: AT, type: 'text' as const, text: id });
  it('messages are keyed by session and message id, receipts by status; statuses get a unique key', () => {
    expect(idempotencyKey({ kind: 'messages', sessionId: 's/1', messages: [m('ABC')] })).toBe('s%2F1:ABC');
    expect(idempotencyKey({ kind: 'message-status', sessionId: 's1', messageId: 'ABC', remoteJid: 'x', status: 'read', at: AT })).toBe('s1:ABC:read');
    const st: OutboundEvent = { kind: 'session-status', sessionId: 's1', event: 'connected', status: 'connected', phoneNumber: null, at: AT };
    expect(idempotencyKey(st, () => 'u1')).toBe('s1:status:u1');
    expect(idempotencyKey(st)).not.toBe(idempotencyKey(st));
  });
  it('a batch of incoming messages becomes one event per message, in order', () => {
    const parts = splitMessages({ kind: 'messages', sessionId: 's1', messages: [m('A'), m('B')] });
    expect(parts.map((e) => (e.kind === 'messages' ? e.messages.map((x) => x.id) : []))).toEqual([['A'], ['B']]);
  });
  it('webhook bodies name the event and carry every field the host reported', () => {
    const body = webhookBody('w1', { kind: 'messages', sessionId: 's1', messages: [{ ...m('A'), offline: true } as never] }, 's1:A');
    expect(body).toEqual({ id: 's1:A', event: 'message', sessionId: 's1', workerId: 'w1', timestamp: AT, data: { ...m('A'), offline: true } });
    // HMAC-SHA256('k', '{}'), computed once with openssl: `printf '{}' | openssl dgst -sha256 -hmac k`.
    expect(signature('k', '{}')).toBe('sha256=add853b103fbcc936a194f9eb15e29c4ff08af6e47d5d1bca4f20218e31e4fff');
  });
});
