import { describe, expect, it } from 'vitest';
import { hostWanted, initialState, mayRecover, transition, WANTED_RUNNING, type ActorEvent, type ActorState, type DurableState, type Policy } from '../../../supervisor/actor/transitions.js';

/**
 * The durable part of a session's state (what the standalone registry file keeps for the next
 * start): the actor's transitions own it, the registry only persists it.
 */
const policy: Policy = {
  backoff: { initialMs: 1000, maxMs: 8000, resetMs: 60_000 },
  window: { intensity: 2, periodMs: 100_000 },
};

function run(events: ActorEvent[], from: ActorState = initialState()): ActorState {
  return events.reduce((state, e) => transition(state, e, policy).state, from);
}

const start: ActorEvent = { type: 'start', isRecovery: false };
const ready = (incarnation: number): ActorEvent => ({ type: 'host-ready', incarnation, now: 0, restoredFrom: 'local' });
const exit = (incarnation: number, kind: 'stopped' | 'logged_out' | 'replaced' | 'crash' | 'init_failed', now = 0): ActorEvent => ({ type: 'host-exit', incarnation, kind, now, jitter: 0 });
const stopped: DurableState = { intent: 'stopped', ended: null };

describe('durable session state', () => {
  it('a new session is wanted running; an earlier supervisor seeds intent, end and status', () => {
    expect(initialState().durable).toEqual(WANTED_RUNNING);
    const ended = initialState({ intent: 'stopped', ended: { status: 'replaced', reason: null } });
    expect(ended).toMatchObject({ status: 'replaced', phase: 'none' });
    expect(mayRecover(ended.durable)).toBe(false);
  });

  it('disconnect and logout make it unwanted; restart and an explicit start make it wanted again', () => {
    const off = run([start, ready(1), { type: 'disconnect' }]);
    expect(off.durable).toEqual(stopped);
    expect(run([exit(1, 'stopped'), start], off).durable).toEqual(WANTED_RUNNING);
    expect(run([exit(1, 'stopped'), { type: 'restart' }], off).durable).toEqual(WANTED_RUNNING);
    expect(run([start, ready(1), { type: 'logout' }]).durable).toEqual(stopped);
  });

  it('a shutdown stops the host but keeps the intent, so the next start recovers the session', () => {
    const s = run([start, ready(1), { type: 'disconnect', shutdown: true }, exit(1, 'stopped')]);
    expect(s).toMatchObject({ status: 'disconnected', phase: 'none', desired: 'stopped' });
    expect(s.durable).toEqual(WANTED_RUNNING);
  });

  it.each(['logged_out', 'replaced'] as const)('%s ends the session for good: unwanted, ended, not recovered', (kind) => {
    const s = run([start, ready(1), exit(1, kind)]);
    expect(s.durable).toEqual({ intent: 'stopped', ended: { status: kind, reason: null } });
    expect(mayRecover(s.durable)).toBe(false);
    // An explicit start (a create) runs it again and clears the end.
    const again = run([start], s);
    expect(again).toMatchObject({ phase: 'booting', durable: WANTED_RUNNING });
  });

  it('a logout asked of a replaced session keeps the end until WhatsApp confirms the logout', () => {
    const replaced = run([start, ready(1), exit(1, 'replaced')]);
    const asking = run([{ type: 'logout' }], replaced);
    expect(asking.phase).toBe('booting');
    expect(asking.durable).toEqual({ intent: 'stopped', ended: { status: 'replaced', reason: null } });
    expect(run([exit(2, 'logged_out')], asking).durable).toEqual({ intent: 'stopped', ended: { status: 'logged_out', reason: null } });
  });

  it('a crash loop or a terminal failure leaves the intent as it was: the next start tries again', () => {
    let quarantined = run([start]);
    for (let i = 0; i < 4 && quarantined.phase !== 'none'; i++) {
      quarantined = run([exit(quarantined.incarnation, 'crash', i)], quarantined);
      if (quarantined.phase === 'waiting') quarantined = run([{ type: 'backoff-elapsed', incarnation: quarantined.incarnation }], quarantined);
    }
    expect(quarantined).toMatchObject({ status: 'failed', reason: 'crash_loop', desired: 'stopped' });
    expect(quarantined.durable).toBe(WANTED_RUNNING);
    expect(mayRecover(quarantined.durable)).toBe(true);
    const failed = run([start, exit(1, 'init_failed')]);
    expect(failed).toMatchObject({ status: 'failed', desired: 'stopped', durable: WANTED_RUNNING });
  });

  it('recovery may start only what the operator wants running and has not ended', () => {
    expect(mayRecover(WANTED_RUNNING)).toBe(true);
    expect(mayRecover(stopped)).toBe(false);
    expect(mayRecover({ intent: 'running', ended: { status: 'logged_out', reason: null } })).toBe(false);
  });

  it('keeps the same durable object while nothing in it changes (a new one means: persist)', () => {
    const s = run([start, ready(1)]);
    const t = run([{ type: 'host-status', incarnation: 1, status: 'connected' }, exit(1, 'crash', 10), { type: 'start', isRecovery: false }], s);
    expect(t.durable).toBe(s.durable);
    const off = run([{ type: 'disconnect' }], s);
    expect(run([{ type: 'disconnect' }, { type: 'logout' }], off).durable).toBe(off.durable);
  });

  it('a host is wanted (a new proxy restarts it) only while one runs or is due for a session wanted running', () => {
    expect(hostWanted(run([start]))).toBe(true);
    expect(hostWanted(run([start, exit(1, 'crash', 0)]))).toBe(true); // booting again after a crash
    expect(hostWanted(run([start, ready(1), { type: 'disconnect' }]))).toBe(false); // stopping on request
    expect(hostWanted(run([start, exit(1, 'init_failed')]))).toBe(false); // no host
    expect(hostWanted(initialState())).toBe(false);
  });
});
