import { describe, expect, it } from 'vitest';
import { initialState, type ActorState } from '../../../supervisor/actor/transitions.js';
import { judge } from '../../../supervisor/recovery/outcome.js';

const snap = (over: Partial<ActorState>) => ({ state: { ...initialState(), incarnation: 1, phase: 'running', readyAt: 1, restored: true, ...over } as ActorState, view: {} as never });

describe('recovery outcome', () => {
  it('connected is recovered', () => {
    expect(judge(snap({ status: 'connected' }))).toEqual({ outcome: 'recovered' });
  });
  it('a ready host that restored nothing is no_auth at once, not retried', () => {
    expect(judge(snap({ status: 'connecting', restored: false }))).toEqual({ outcome: 'failed', reason: 'no_auth', retryable: false });
  });
  it('qr_required with restored auth means the auth expired', () => {
    expect(judge(snap({ status: 'qr_required' }))).toEqual({ outcome: 'failed', reason: 'auth_expired', retryable: false });
  });
  it.each([
    ['logged_out', null, 'logged_out', false],
    ['replaced', null, 'replaced', false],
    ['failed', 'storage_error', 'storage_error', true],
    ['failed', 'lock_held', 'lock_held', true],
    ['failed', 'crash_loop', 'crash_loop', false],
    ['failed', 'bad_session', 'bad_session', false],
  ] as const)('%s (%s) fails with %s, retryable=%s', (status, reason, expected, retryable) => {
    expect(judge(snap({ status, reason, phase: 'none' }))).toEqual({ outcome: 'failed', reason: expected, retryable });
  });
  it('booting, starting, recovering, connecting and reconnecting are not final', () => {
    expect(judge(snap({ phase: 'booting', readyAt: null, restored: false, status: 'starting' }))).toBeNull();
    for (const status of ['recovering', 'connecting', 'reconnecting'] as const) expect(judge(snap({ status }))).toBeNull();
    expect(judge(snap({ phase: 'waiting', status: 'reconnecting' }))).toBeNull();
  });
});
