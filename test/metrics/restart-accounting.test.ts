/**
 * Which spawns count as restarts, and with which reason: the pure accounting driven through the
 * actor's real state machine, so a change to the machine that moves a spawn shows up here.
 */
import { describe, expect, it } from 'vitest';
import { initialState, transition, type ActorEvent, type Policy } from '../../supervisor/actor/transitions.js';
import type { RestartReason } from '../../supervisor/metrics/labels.js';
import { accountRestart, crashRestartReason } from '../../supervisor/metrics/restart-accounting.js';

const policy: Policy = { backoff: { initialMs: 1000, maxMs: 8000, resetMs: 60_000 }, window: { intensity: 5, periodMs: 100_000 } };

/** Feeds events through the machine; returns every counted restart and the spawn count. */
function restartsOf(events: ActorEvent[]): { restarts: RestartReason[]; spawns: number } {
  let state = initialState();
  let pending: RestartReason | null = null;
  const restarts: RestartReason[] = [];
  let spawns = 0;
  for (const e of events) {
    const t = transition(state, e, policy);
    state = t.state;
    spawns += t.effects.filter((x) => x.type === 'spawn').length;
    const r = accountRestart(e, t.effects, pending);
    pending = r.pending;
    if (r.restarted) restarts.push(r.restarted);
  }
  return { restarts, spawns };
}

const start: ActorEvent = { type: 'start', isRecovery: true };
const ready = (incarnation: number, now = 0): ActorEvent => ({ type: 'host-ready', incarnation, now, restoredFrom: 'local' });
const exit = (incarnation: number, kind: 'crash' | 'orphaned' | 'stopped' | 'logged_out', now: number, killedFor?: 'unresponsive'): ActorEvent =>
  ({ type: 'host-exit', incarnation, kind, now, jitter: 0, ...(killedFor ? { killedFor } : {}) });

describe('restart accounting', () => {
  it('a first start is not a restart; an immediate restart after a crash is one', () => {
    expect(restartsOf([start, ready(1)])).toEqual({ restarts: [], spawns: 1 });
    expect(restartsOf([start, ready(1), exit(1, 'crash', 10)])).toEqual({ restarts: ['crash'], spawns: 2 });
  });

  it('a restart after a backoff is counted when the host is spawned, with the crash reason', () => {
    // Second crash within the reset window: backoff, then the timer spawns.
    const events: ActorEvent[] = [start, ready(1), exit(1, 'crash', 10), ready(2, 20), exit(2, 'orphaned', 30)];
    expect(restartsOf(events).restarts).toEqual(['crash']);
    expect(restartsOf([...events, { type: 'backoff-elapsed', incarnation: 2 }])).toEqual({ restarts: ['crash', 'orphaned'], spawns: 3 });
  });

  it('a watchdog kill is an unresponsive restart', () => {
    expect(restartsOf([start, ready(1), exit(1, 'crash', 10, 'unresponsive')]).restarts).toEqual(['unresponsive']);
    expect(crashRestartReason('crash', 'unresponsive')).toBe('unresponsive');
    expect(crashRestartReason('orphaned', undefined)).toBe('orphaned');
    expect(crashRestartReason('crash', 'init_failed')).toBe('crash');
  });

  it('an operator restart of a running host counts once, when the new host is spawned', () => {
    const stopping: ActorEvent[] = [start, ready(1), { type: 'restart' }];
    expect(restartsOf(stopping)).toEqual({ restarts: [], spawns: 1 });
    expect(restartsOf([...stopping, exit(1, 'stopped', 10)])).toEqual({ restarts: ['operator'], spawns: 2 });
  });

  it('a disconnect during a backoff drops the pending restart; a later start is not a restart', () => {
    const events: ActorEvent[] = [start, ready(1), exit(1, 'crash', 10), ready(2, 20), exit(2, 'crash', 30), { type: 'disconnect' }, start];
    expect(restartsOf(events)).toEqual({ restarts: ['crash'], spawns: 3 });
  });

  it('a deliberate exit is never a restart', () => {
    expect(restartsOf([start, ready(1), exit(1, 'logged_out', 10)])).toEqual({ restarts: [], spawns: 1 });
    expect(restartsOf([start, ready(1), { type: 'disconnect' }, exit(1, 'stopped', 10), start])).toEqual({ restarts: [], spawns: 2 });
  });
});
