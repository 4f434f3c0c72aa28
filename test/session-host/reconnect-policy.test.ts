import { describe, expect, it } from 'vitest';
import { closeCodeOf, decideOnClose, nextBadSessions, reconnectDelay } from '../../session-host/reconnect-policy.js';

const base = { intentional: false, paired: true, qrShown: 0, qrMax: 5, badSessions: 0, badSessionMax: 3 };

describe('reconnect policy (design.md §6)', () => {
  it.each([
    [515, 'restart-now'],
    [428, 'reconnect'],
    [408, 'reconnect'],
    [503, 'reconnect'],
    [undefined, 'reconnect'],
    [401, 'logged-out'],
    [440, 'replaced'],
  ] as const)('close code %s → %s', (code, kind) => {
    expect(decideOnClose({ ...base, code }).kind).toBe(kind);
  });

  it('a close the proxy caused reconnects with its reason and never counts as a bad session (issue 19 §2)', () => {
    // Baileys reports a tunnel that could not be made as 500: far past the bound it still reconnects.
    expect(decideOnClose({ ...base, code: 500, badSessions: 99, proxyFailure: 'proxy_unreachable' })).toEqual({ kind: 'reconnect', reason: 'proxy_unreachable' });
    expect(decideOnClose({ ...base, code: 408, proxyFailure: 'proxy_refused' })).toEqual({ kind: 'reconnect', reason: 'proxy_refused' });
    expect(decideOnClose({ ...base, code: 500, proxyFailure: 'proxy_refused', intentional: true })).toEqual({ kind: 'none' });
    expect(nextBadSessions(2, 500, 'proxy_unreachable')).toBe(2);
    expect(nextBadSessions(2, 500)).toBe(3);
  });

  it('411 fails with its reason; 403 fails as forbidden (banned), distinct from every other failure', () => {
    expect(decideOnClose({ ...base, code: 411 })).toEqual({ kind: 'failed', reason: 'multidevice_mismatch' });
    expect(decideOnClose({ ...base, code: 403 })).toEqual({ kind: 'failed', reason: 'forbidden' });
  });

  it('500 reconnects while the 500s since the last open stay within the bound, then fails as bad_session', () => {
    // `badSessions` counts this close too: with a bound of 3, the 1st to 3rd reconnect, the 4th fails.
    for (const badSessions of [1, 2, 3]) expect(decideOnClose({ ...base, code: 500, badSessions })).toEqual({ kind: 'reconnect' });
    expect(decideOnClose({ ...base, code: 500, badSessions: 4 })).toEqual({ kind: 'failed', reason: 'bad_session' });
    expect(decideOnClose({ ...base, code: 500, badSessions: 2, badSessionMax: 1 })).toEqual({ kind: 'failed', reason: 'bad_session' });
  });

  it('counts 500s since the last open; any other close leaves the count alone, an open resets it', () => {
    expect(nextBadSessions(0, 500)).toBe(1);
    expect(nextBadSessions(2, 500)).toBe(3);
    expect(nextBadSessions(2, 428)).toBe(2);
    expect(nextBadSessions(2, undefined)).toBe(2);
  });

  it('an untrusted server fails the session whatever the code, and is never retried', () => {
    for (const code of [undefined, 400, 428, 500, 515]) {
      expect(decideOnClose({ ...base, code, untrustedServer: true })).toEqual({ kind: 'failed', reason: 'untrusted_server' });
    }
  });

  it('a close the host caused itself needs no action, whatever the code', () => {
    expect(decideOnClose({ ...base, code: 401, intentional: true }).kind).toBe('none');
  });

  it('408 while unpaired with the QR cap reached is qr_timeout, before it is a reconnect', () => {
    expect(decideOnClose({ ...base, code: 408, paired: false, qrShown: 5 })).toEqual({ kind: 'failed', reason: 'qr_timeout' });
    expect(decideOnClose({ ...base, code: 408, paired: false, qrShown: 4 }).kind).toBe('reconnect');
  });

  it('reconnects back off 1 s doubling to 30 s, 40 % of each wait random, never above the cap', () => {
    expect([1, 2, 3, 5, 6, 50].map((n) => reconnectDelay(n, undefined, () => 0.999_999))).toEqual([1000, 2000, 4000, 16_000, 30_000, 30_000]);
    expect([1, 3, 50].map((n) => reconnectDelay(n, undefined, () => 0))).toEqual([600, 2400, 18_000]);
    expect(reconnectDelay(0, undefined, () => 0.5)).toBe(800); // attempt counts from 1
  });

  it('reads the status code of a Boom-shaped error', () => {
    expect(closeCodeOf({ output: { statusCode: 428 } })).toBe(428);
    expect(closeCodeOf(new Error('x'))).toBeUndefined();
    expect(closeCodeOf(undefined)).toBeUndefined();
  });
});
