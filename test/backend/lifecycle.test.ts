/**
 * The backend integration's lifecycle (supervisor/backend/lifecycle.ts), pure: every rule the
 * integration used to keep in separate flags, checked as (state, event) → {state, effects}.
 */
import { describe, expect, it } from 'vitest';
import { decommissioned, degraded, initialLifecycle, transition, type Lifecycle, type LifecycleEvent } from '../../supervisor/backend/lifecycle.js';

/** Runs events from `state`, returning the final state and every effect type in order. */
function run(state: Lifecycle, ...events: LifecycleEvent[]): { state: Lifecycle; effects: string[] } {
  const effects: string[] = [];
  for (const e of events) {
    const t = transition(state, e);
    state = t.state;
    effects.push(...t.effects.map((x) => x.type));
  }
  return { state, effects };
}

const running = (over: Partial<{ degraded: boolean; reRegistering: boolean }> = {}): Lifecycle => ({ phase: 'running', degraded: false, reRegistering: false, ...over });

describe('start', () => {
  it('runs once: a second start is refused and changes nothing', () => {
    const first = run(initialLifecycle, { type: 'start' });
    expect(first).toEqual({ state: { phase: 'starting' }, effects: ['count-messages'] });
    for (const state of [first.state, running(), { phase: 'decommissioned', degraded: false } as const, { phase: 'stopped', degraded: false, decommissioned: false } as const]) {
      expect(transition(state, { type: 'start' })).toEqual({ state, effects: [{ type: 'refuse-start' }] });
    }
  });

  it('settled from the backend: polls; from the cache: degraded, catches up and polls', () => {
    expect(run(initialLifecycle, { type: 'start' }, { type: 'start-settled', degraded: false })).toEqual({ state: running(), effects: ['count-messages', 'schedule-poll'] });
    expect(run(initialLifecycle, { type: 'start' }, { type: 'start-settled', degraded: true })).toEqual({ state: running({ degraded: true }), effects: ['count-messages', 'catch-up', 'schedule-poll'] });
  });

  it('stopped or unregistered while starting: the start settles without starting a loop', () => {
    const stopped = run(initialLifecycle, { type: 'start' }, { type: 'stop' }, { type: 'start-settled', degraded: true });
    expect(stopped).toEqual({ state: { phase: 'stopped', degraded: true, decommissioned: false }, effects: ['count-messages', 'shut-down'] });
    const gone = run(initialLifecycle, { type: 'start' }, { type: 'unregistered' }, { type: 'start-settled', degraded: false });
    expect(gone).toEqual({ state: { phase: 'decommissioned', degraded: false }, effects: ['count-messages', 'end-loops'] });
  });
});

describe('polling', () => {
  it('fetches when registered and in sync, then schedules the next poll', () => {
    expect(run(running(), { type: 'poll-due', registered: true }, { type: 'poll-done' }).effects).toEqual(['poll', 'schedule-poll']);
  });

  it('skips the fetch (and only reschedules) while catching up or unregistered', () => {
    expect(run(running({ degraded: true }), { type: 'poll-due', registered: true }).effects).toEqual(['schedule-poll']);
    expect(run(running(), { type: 'poll-due', registered: false }).effects).toEqual(['schedule-poll']);
  });

  it('ends after an unregister or a stop: a late timer or a poll in flight schedules nothing', () => {
    for (const state of [{ phase: 'decommissioned', degraded: false } as const, { phase: 'stopped', degraded: false, decommissioned: false } as const]) {
      expect(run(state, { type: 'poll-due', registered: true }, { type: 'poll-done' }).effects).toEqual([]);
    }
  });

  it('a degraded start that caught up polls normally again', () => {
    const r = run(running({ degraded: true }), { type: 'caught-up' }, { type: 'poll-due', registered: true });
    expect(r).toEqual({ state: running(), effects: ['poll'] });
    expect(degraded(running({ degraded: true }))).toBe(true);
    expect(degraded(r.state)).toBe(false);
  });
});

describe('the backend forgets this worker', () => {
  it('registers again once, however many times it hears so, until that loop ends', () => {
    const r = run(running(), { type: 'worker-unknown' }, { type: 'worker-unknown' }, { type: 'worker-unknown' });
    expect(r).toEqual({ state: running({ reRegistering: true }), effects: ['register-again'] });
    expect(run(r.state, { type: 're-registered' }, { type: 'worker-unknown' })).toEqual({ state: running({ reRegistering: true }), effects: ['register-again'] });
  });

  it('never registers again when decommissioned, stopped, or before the start settled (start registers itself)', () => {
    const states: Lifecycle[] = [initialLifecycle, { phase: 'starting' }, { phase: 'decommissioned', degraded: false }, { phase: 'stopped', degraded: false, decommissioned: true }];
    for (const state of states) expect(transition(state, { type: 'worker-unknown' })).toEqual({ state, effects: [] });
  });
});

describe('heartbeats, unregister and stop', () => {
  it('heartbeats start unless decommissioned or stopped', () => {
    for (const state of [initialLifecycle, { phase: 'starting' } as const, running()]) expect(run(state, { type: 'start-heartbeats' }).effects).toEqual(['start-heartbeats']);
    expect(run({ phase: 'decommissioned', degraded: false }, { type: 'start-heartbeats' }).effects).toEqual([]);
    expect(run({ phase: 'stopped', degraded: false, decommissioned: false }, { type: 'start-heartbeats' }).effects).toEqual([]);
  });

  it('unregister ends the loops once and keeps whether the start was degraded; without a start too (the operator command)', () => {
    expect(run(running({ degraded: true }), { type: 'unregistered' }, { type: 'unregistered' })).toEqual({ state: { phase: 'decommissioned', degraded: true }, effects: ['end-loops'] });
    expect(run(initialLifecycle, { type: 'unregistered' })).toEqual({ state: { phase: 'decommissioned', degraded: false }, effects: ['end-loops'] });
  });

  it('stop shuts down once from any phase and remembers a decommission, before or after it', () => {
    expect(run(running(), { type: 'stop' }, { type: 'stop' }).effects).toEqual(['shut-down']);
    expect(run(initialLifecycle, { type: 'stop' }).effects).toEqual(['shut-down']);
    const before = run(running(), { type: 'unregistered' }, { type: 'stop' }).state;
    const after = run(running(), { type: 'stop' }, { type: 'unregistered' }).state;
    expect(before).toEqual({ phase: 'stopped', degraded: false, decommissioned: true });
    expect(after).toEqual(before);
    expect(decommissioned(before)).toBe(true);
    expect(decommissioned(running())).toBe(false);
  });

  it('a catch-up that finishes after unregister or stop clears degraded without starting anything', () => {
    expect(run({ phase: 'decommissioned', degraded: true }, { type: 'caught-up' })).toEqual({ state: { phase: 'decommissioned', degraded: false }, effects: [] });
    expect(run({ phase: 'stopped', degraded: true, decommissioned: false }, { type: 'caught-up' })).toEqual({ state: { phase: 'stopped', degraded: false, decommissioned: false }, effects: [] });
  });
});
