/**
 * Idempotent sends: the pure rules (idempotency.ts), the key from header/body, and the service
 * (idempotent-sends.ts) on a real DATA_DIR with a scripted host — a second service on the same
 * folder stands for a restarted supervisor.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.js';
import type { OutgoingMessage, SendResult } from '../../src/ipc/protocol.js';
import { createLogger } from '../../src/logger.js';
import { idempotencyKeyOf } from '../../supervisor/http/routes/messages.js';
import { decide, fingerprintOf, judgeError, KEY_TTL_MS, retainKeys, type IdempotencyRecord } from '../../supervisor/sends/idempotency.js';
import { IdempotentSends } from '../../supervisor/sends/idempotent-sends.js';

const TEXT: OutgoingMessage = { type: 'text', text: 'hi' };
const logger = createLogger({ level: 'silent', pretty: false, name: 'test' });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rec = (over: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({ fingerprint: 'f', messageId: 'M', status: 'sent', createdAt: 1_000, ...over });

describe('rules', () => {
  it('new, replay, resume, mismatch; a key older than 24 h is new again', () => {
    expect(decide(undefined, 'f', 0).kind).toBe('new');
    expect(decide(rec(), 'f', 2_000).kind).toBe('replay');
    expect(decide(rec({ status: 'failed' }), 'f', 2_000).kind).toBe('replay');
    expect(decide(rec({ status: 'pending' }), 'f', 2_000).kind).toBe('resume');
    expect(decide(rec(), 'g', 2_000).kind).toBe('mismatch');
    expect(decide(rec(), 'g', 1_000 + KEY_TTL_MS + 1).kind).toBe('new');
  });

  it('judges errors: nothing sent, failed, or unknown (= pending, never an error answer)', () => {
    expect(judgeError('SESSION_NOT_CONNECTED')).toBe('not-sent');
    expect(judgeError('INVALID_MESSAGE')).toBe('not-sent');
    expect(judgeError('SEND_FAILED')).toBe('failed');
    expect(judgeError('HOST_REQUEST_TIMEOUT')).toBe('unknown');
    expect(judgeError('HOST_EXITED')).toBe('unknown');
    expect(judgeError('SOMETHING_NEW')).toBe('unknown');
  });

  it('fingerprints ignore key order and differ by recipient and content', () => {
    expect(fingerprintOf('a@s.whatsapp.net', { type: 'text', text: 'x' })).toBe(fingerprintOf('a@s.whatsapp.net', { text: 'x', type: 'text' } as OutgoingMessage));
    expect(fingerprintOf('a@s.whatsapp.net', TEXT)).not.toBe(fingerprintOf('b@s.whatsapp.net', TEXT));
    expect(fingerprintOf('a@s.whatsapp.net', TEXT)).not.toBe(fingerprintOf('a@s.whatsapp.net', { type: 'text', text: 'y' }));
  });

  it('keeps keys for 24 h, the newest ones first when over the cap', () => {
    const now = KEY_TTL_MS * 2;
    const kept = retainKeys([['old', rec({ createdAt: 0 })], ['new', rec({ createdAt: now - 1 })]], now);
    expect(kept.map(([k]) => k)).toEqual(['new']);
  });

  it('the key comes from the header or clientMessageId; both must agree', () => {
    expect(idempotencyKeyOf('k', undefined)).toBe('k');
    expect(idempotencyKeyOf(undefined, 'k')).toBe('k');
    expect(idempotencyKeyOf('k', 'k')).toBe('k');
    expect(idempotencyKeyOf(undefined, undefined)).toBeUndefined();
    expect(() => idempotencyKeyOf('k', 'j')).toThrow(/differ/);
    expect(() => idempotencyKeyOf(['a', 'b'], undefined)).toThrow(/one Idempotency-Key/);
  });
});

describe('IdempotentSends', () => {
  function world() {
    const dataDir = mkdtempSync(join(tmpdir(), 'idem-'));
    dirs.push(dataDir);
    const calls: string[] = [];
    let next: (messageId: string) => Promise<SendResult> = async (messageId) => ({ messageId, to: 'a@s.whatsapp.net', status: 'sent', timestamp: 't' });
    const host = (_s: string, _to: string, _m: OutgoingMessage, messageId: string) => {
      calls.push(messageId);
      return next(messageId);
    };
    return { dataDir, calls, host, script: (f: typeof next) => (next = f) };
  }

  it('a replay never reaches the host, also after a supervisor restart', async () => {
    const w = world();
    const first = await new IdempotentSends(w.dataDir, w.host, logger).send('s1', 'a@s.whatsapp.net', TEXT, 'K');
    expect(first).toMatchObject({ status: 'sent', replayed: false });
    const restarted = new IdempotentSends(w.dataDir, w.host, logger);
    expect(await restarted.send('s1', 'a@s.whatsapp.net', TEXT, 'K')).toMatchObject({ messageId: first.messageId, status: 'sent', replayed: true });
    expect(w.calls).toEqual([first.messageId]);
    // keys are per session
    expect((await restarted.send('s2', 'a@s.whatsapp.net', TEXT, 'K')).messageId).not.toBe(first.messageId);
    // a deleted session's keys go with it
    await restarted.forget('s1');
    expect(existsSync(join(w.dataDir, 'idempotency', 's1.jsonl'))).toBe(false);
    expect(await new IdempotentSends(w.dataDir, w.host, logger).send('s1', 'a@s.whatsapp.net', TEXT, 'K')).toMatchObject({ replayed: false });
  });

  it('an unknown outcome answers pending; the retry asks the host again under the same id', async () => {
    const w = world();
    const sends = new IdempotentSends(w.dataDir, w.host, logger);
    w.script(async () => {
      throw new WorkerError('HOST_REQUEST_TIMEOUT', 'no answer');
    });
    const first = await sends.send('s1', 'a@s.whatsapp.net', TEXT, 'K');
    expect(first).toMatchObject({ status: 'pending', replayed: false });
    w.script(async (messageId) => ({ messageId, to: 'a@s.whatsapp.net', status: 'sent', timestamp: 't' }));
    const retry = await new IdempotentSends(w.dataDir, w.host, logger).send('s1', 'a@s.whatsapp.net', TEXT, 'K');
    expect(retry).toMatchObject({ messageId: first.messageId, status: 'sent', replayed: true });
    expect(w.calls).toEqual([first.messageId, first.messageId]);
  });

  it('a refusal before anything went out keeps no record; a failure is replayed as the same error', async () => {
    const w = world();
    const sends = new IdempotentSends(w.dataDir, w.host, logger);
    w.script(async () => {
      throw new WorkerError('SESSION_NOT_CONNECTED', 'not connected');
    });
    await expect(sends.send('s1', 'a@s.whatsapp.net', TEXT, 'K')).rejects.toThrow(/not connected/);
    w.script(async () => {
      throw new WorkerError('SEND_FAILED', 'baileys said no');
    });
    await expect(sends.send('s1', 'a@s.whatsapp.net', TEXT, 'K')).rejects.toThrow(/baileys said no/);
    await expect(sends.send('s1', 'a@s.whatsapp.net', TEXT, 'K')).rejects.toMatchObject({ code: 'SEND_FAILED' });
    expect(w.calls).toHaveLength(2);
    await expect(sends.send('s1', 'b@s.whatsapp.net', TEXT, 'K')).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });
});
