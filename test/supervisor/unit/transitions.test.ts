import { describe, expect, it } from 'vitest';
import { initialState, transition, type ActorEvent, type ActorState, type Effect, type Policy } from '../../../supervisor/actor/transitions.js';

const policy: Policy = {
  backoff: { initialMs: 1000, maxMs: 8000, resetMs: 60_000 },
  window: { intensity: 3, periodMs: 100_000 },
};

/** Runs events in order; returns the final state and every effect, flattened. */
function run(events: ActorEvent[], from: ActorState = initialState()): { state: ActorState; effects: Effect[] } {
  let state = from;
  const effects: Effect[] = [];
  for (const e of events) {
    const t = transition(state, e, policy);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const crash = (incarnation: number, now: number, jitter = 0): ActorEvent => ({ type: 'host-exit', incarnation, kind: 'crash', now, jitter });
const ready = (incarnation: number, now: number): ActorEvent => ({ type: 'host-ready', incarnation, now, restoredFrom: 'local' });

describe('session actor transitions', () => {
  it('start spawns one host and reports starting', () => {
    const { state, effects } = run([{ type: 'start', isRecovery: false }]);
    expect(effects).toEqual([{ type: 'spawn', incarnation: 1, isRecovery: false }]);
    expect(state).toMatchObject({ phase: 'booting', status: 'starting', desired: 'running' });
  });

  it('a second start while a host runs spawns nothing', () => {
    const { effects } = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'start', isRecovery: false }]);
    expect(effects.filter((e) => e.type === 'spawn')).toHaveLength(1);
  });

  it('follows the host status and keeps a failed reason', () => {
    const { state } = run([
      { type: 'start', isRecovery: false }, ready(1, 0),
      { type: 'host-status', incarnation: 1, status: 'connected' },
    ]);
    expect(state.status).toBe('connected');
    const failed = run([{ type: 'host-status', incarnation: 1, status: 'failed', reason: 'bad_session' }], state).state;
    expect(failed).toMatchObject({ status: 'failed', reason: 'bad_session' });
  });

  it('shows why a session reconnects when its proxy is the cause, and clears it on connect (issue 19 §2)', () => {
    const { state } = run([{ type: 'start', isRecovery: true }, ready(1, 0)]);
    const down = run([{ type: 'host-status', incarnation: 1, status: 'reconnecting', reason: 'proxy_unreachable' }], state).state;
    expect(down).toMatchObject({ status: 'reconnecting', reason: 'proxy_unreachable', phase: 'running' });
    const refused = run([{ type: 'host-status', incarnation: 1, status: 'reconnecting', reason: 'proxy_refused' }], down).state;
    expect(refused.reason).toBe('proxy_refused');
    const plain = run([{ type: 'host-status', incarnation: 1, status: 'reconnecting' }], refused).state;
    expect(plain.reason).toBeNull();
    const back = run([{ type: 'host-status', incarnation: 1, status: 'reconnecting', reason: 'proxy_unreachable' }, { type: 'host-status', incarnation: 1, status: 'connected' }], plain).state;
    expect(back).toMatchObject({ status: 'connected', reason: null });
  });

  it('restarts the first crash at once, then backs off exponentially', () => {
    const { state, effects } = run([
      { type: 'start', isRecovery: false }, ready(1, 0),
      crash(1, 1000),
    ]);
    expect(effects.at(-1)).toEqual({ type: 'spawn', incarnation: 2, isRecovery: true });
    expect(state.restarts).toBe(1);

    const second = run([crash(2, 1100)], state);
    expect(second.effects).toEqual([{ type: 'schedule-restart', incarnation: 2, delayMs: 500 }]);
    expect(second.state).toMatchObject({ phase: 'waiting', status: 'reconnecting' });

    const third = run([{ type: 'backoff-elapsed', incarnation: 2 }, crash(3, 2000, 0.999_9)], second.state);
    expect(third.effects).toEqual([{ type: 'spawn', incarnation: 3, isRecovery: true }, { type: 'schedule-restart', incarnation: 3, delayMs: 2000 }]);
  });

  it('a boot failure (no ready) counts as a crash', () => {
    const { effects, state } = run([{ type: 'start', isRecovery: false }, crash(1, 10)]);
    expect(effects.at(-1)).toEqual({ type: 'spawn', incarnation: 2, isRecovery: true });
    expect(state.history).toEqual([10]);
  });

  it('resets the backoff after a stable period', () => {
    const s = run([{ type: 'start', isRecovery: false }, crash(1, 0), crash(2, 10)]).state;
    expect(s.streak).toBe(2);
    const after = run([{ type: 'backoff-elapsed', incarnation: 2 }, ready(3, 1000), crash(3, 1000 + 60_000)], s);
    expect(after.effects.at(-1)).toEqual({ type: 'spawn', incarnation: 4, isRecovery: true });
  });

  it('quarantines as failed/crash_loop after more than RESTART_INTENSITY restarts in the period', () => {
    let s = run([{ type: 'start', isRecovery: false }]).state;
    for (let i = 0; i < 3; i++) {
      s = run([crash(s.incarnation, i * 10)], s).state;
      if (s.phase === 'waiting') s = run([{ type: 'backoff-elapsed', incarnation: s.incarnation }], s).state;
    }
    const q = run([crash(s.incarnation, 100)], s);
    expect(q.effects).toEqual([{ type: 'quarantined', restartsInWindow: 3 }]);
    expect(q.state).toMatchObject({ status: 'failed', reason: 'crash_loop', phase: 'none', desired: 'stopped' });
    // A plain start (e.g. a backend assignment) does not lift it …
    expect(run([{ type: 'start', isRecovery: true }], q.state).effects).toEqual([]);
    // … an operator restart does, with a clean history.
    const r = run([{ type: 'restart' }], q.state);
    expect(r.effects).toEqual([{ type: 'spawn', incarnation: q.state.incarnation + 1, isRecovery: true }]);
    expect(r.state).toMatchObject({ history: [], restarts: 0, reason: null, status: 'starting' });
  });

  it.each([
    ['stopped', 'disconnected', null],
    ['logged_out', 'logged_out', null],
    ['replaced', 'replaced', null],
    ['init_failed', 'failed', 'init_failed'],
    ['failed', 'failed', 'unknown'],
  ] as const)('does not restart a host that exited %s', (kind, status, reason) => {
    const { state, effects } = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'host-exit', incarnation: 1, kind, now: 5, jitter: 0 }]);
    expect(effects.filter((e) => e.type === 'spawn')).toHaveLength(1);
    expect(state).toMatchObject({ status, reason, phase: 'none', desired: 'stopped' });
  });

  it('keeps the reason the host gave before a terminal exit', () => {
    const { state } = run([
      { type: 'start', isRecovery: true },
      { type: 'host-init-failed', incarnation: 1, reason: 'storage_error' },
      { type: 'host-exit', incarnation: 1, kind: 'init_failed', now: 5, jitter: 0 },
    ]);
    expect(state).toMatchObject({ status: 'failed', reason: 'storage_error' });
  });

  it.each([
    ['storage_unavailable', 'storage_unavailable'],
    ['lock_held', 'lock_held'],
  ] as const)('a boot that ends %s is transient: recovering with that reason, capped backoff, never a quarantine', (kind, reason) => {
    const boot = (incarnation: number, now: number, jitter = 0): ActorEvent => ({ type: 'host-exit', incarnation, kind, now, jitter });
    let s = run([{ type: 'start', isRecovery: true }]).state;
    const delays: number[] = [];
    // Far more boots than RESTART_INTENSITY (3) within its period: still no quarantine.
    for (let i = 0; i < 8; i++) {
      const t = run([boot(s.incarnation, i * 10, 0.999_9)], s);
      expect(t.state).toMatchObject({ status: 'recovering', reason, phase: 'waiting', desired: 'running' });
      const timer = t.effects.find((e) => e.type === 'schedule-restart');
      expect(timer).toBeDefined();
      delays.push((timer as { delayMs: number }).delayMs);
      // The next boot keeps showing why it is retrying, even through the host's own `starting`.
      const again = run([{ type: 'backoff-elapsed', incarnation: s.incarnation }, { type: 'host-status', incarnation: s.incarnation + 1, status: 'starting' }], t.state);
      expect(again.effects).toEqual([{ type: 'spawn', incarnation: s.incarnation + 1, isRecovery: true }]);
      expect(again.state).toMatchObject({ status: 'recovering', reason, phase: 'booting' });
      s = again.state;
    }
    // The normal exponential backoff from RESTART_BACKOFF_INITIAL_MS up to its cap (8000 here).
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000]);
    expect(s.history).toEqual([]);
    // Once the boot gets through, the host's statuses take over and the reason goes.
    const ok = run([ready(s.incarnation, 100), { type: 'host-status', incarnation: s.incarnation, status: 'recovering' }, { type: 'host-status', incarnation: s.incarnation, status: 'connected' }], s).state;
    expect(ok).toMatchObject({ status: 'connected', reason: null });
    // A later crash starts from a fresh streak (the host was ready), so it restarts at once.
    expect(run([crash(s.incarnation, 100 + 60_000)], ok).effects.at(-1)).toMatchObject({ type: 'spawn' });
  });

  it('a transient boot failure of a session being stopped does not restart it', () => {
    const s = run([{ type: 'start', isRecovery: true }, { type: 'disconnect' }, { type: 'host-exit', incarnation: 1, kind: 'storage_unavailable', now: 5, jitter: 0 }]);
    expect(s.effects.filter((e) => e.type === 'spawn' || e.type === 'schedule-restart')).toHaveLength(1);
    expect(s.state).toMatchObject({ status: 'disconnected', phase: 'none', desired: 'stopped' });
  });

  it('restarts an orphaned or signalled host (transient)', () => {
    const { effects } = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'host-exit', incarnation: 1, kind: 'orphaned', now: 5, jitter: 0 }]);
    expect(effects.at(-1)).toMatchObject({ type: 'spawn' });
  });

  it('remembers that the watchdog killed the host', () => {
    const { state } = run([
      { type: 'start', isRecovery: false }, ready(1, 0),
      { type: 'host-exit', incarnation: 1, kind: 'crash', now: 5, jitter: 0, killedFor: 'unresponsive' },
    ]);
    expect(state).toMatchObject({ reason: 'unresponsive', restarts: 1, phase: 'booting' });
  });

  it('disconnect stops the host and never restarts it, whatever the exit', () => {
    const s = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'disconnect' }]);
    expect(s.effects.at(-1)).toEqual({ type: 'stop-host', incarnation: 1 });
    // The host's last words while stopping do not overwrite the request …
    const t = run([{ type: 'host-status', incarnation: 1, status: 'reconnecting' }, crash(1, 10)], s.state);
    // … and even a SIGKILLed stop settles as disconnected.
    expect(t.effects).toEqual([]);
    expect(t.state).toMatchObject({ status: 'disconnected', phase: 'none', desired: 'stopped' });
  });

  it('disconnect during a backoff wait cancels the timer', () => {
    const s = run([{ type: 'start', isRecovery: false }, crash(1, 0), crash(2, 1)]).state;
    expect(s.phase).toBe('waiting');
    const d = run([{ type: 'disconnect' }, { type: 'backoff-elapsed', incarnation: 2 }], s);
    expect(d.effects).toEqual([{ type: 'cancel-restart' }]);
    expect(d.state.status).toBe('disconnected');
  });

  it('logout goes through a running host; with none running it starts one only to log out (marker first)', () => {
    const viaHost = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'logout' }]);
    expect(viaHost.effects.slice(-2)).toEqual([{ type: 'mark-logout' }, { type: 'logout-host', incarnation: 1 }]);
    const done = run([{ type: 'host-exit', incarnation: 1, kind: 'logged_out', now: 1, jitter: 0 }], viaHost.state);
    expect(done.state).toMatchObject({ status: 'logged_out', logoutPending: false, phase: 'none' });

    const idle = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'disconnect' }, { type: 'host-exit', incarnation: 1, kind: 'stopped', now: 1, jitter: 0 }, { type: 'logout' }]);
    expect(idle.effects.slice(-2)).toEqual([{ type: 'mark-logout' }, { type: 'spawn', incarnation: 2, isRecovery: false, logoutOnly: true }]);
    expect(idle.state).toMatchObject({ desired: 'stopped', phase: 'booting', logoutPending: true });
    // Never restarted, whatever way the logout host ends.
    const told = run([{ type: 'host-exit', incarnation: 2, kind: 'logged_out', now: 2, jitter: 0 }], idle.state);
    expect(told.state).toMatchObject({ status: 'logged_out', reason: null, logoutPending: false });
    expect(told.effects).toEqual([]);
    // A second logout of a logged-out session (e.g. DELETE after logout) changes nothing.
    expect(run([{ type: 'logout' }], told.state)).toEqual({ state: told.state, effects: [] });
  });

  it('a logout WhatsApp could not be told stays pending and shown; the next start runs it (the host reads the marker)', () => {
    const idle = run([{ type: 'logout' }]);
    expect(idle.effects).toEqual([{ type: 'mark-logout' }, { type: 'spawn', incarnation: 1, isRecovery: false, logoutOnly: true }]);
    for (const kind of ['logout_pending', 'storage_unavailable', 'crash'] as const) {
      const t = run([{ type: 'host-exit', incarnation: 1, kind, now: 2, jitter: 0 }], idle.state);
      expect(t.state).toMatchObject({ status: 'disconnected', reason: 'logout_pending', logoutPending: true, phase: 'none', desired: 'stopped' });
      expect(t.effects).toEqual([]);
    }
    const pending = run([{ type: 'host-exit', incarnation: 1, kind: 'logout_pending', now: 2, jitter: 0 }], idle.state).state;
    const again = run([{ type: 'restart' }], pending);
    expect(again.effects).toEqual([{ type: 'spawn', incarnation: 2, isRecovery: true }]);
    expect(again.state.logoutPending).toBe(true);
    // A supervisor that starts with the marker on disk shows it before any host ran.
    expect(initialState(undefined, true)).toMatchObject({ status: 'disconnected', reason: 'logout_pending', logoutPending: true });
  });

  it('a logout during a backoff wait or a stop in flight is carried out by a host after it', () => {
    const waiting = run([{ type: 'start', isRecovery: false }, crash(1, 0), crash(2, 1)]).state;
    expect(run([{ type: 'logout' }], waiting).effects).toEqual([{ type: 'cancel-restart' }, { type: 'mark-logout' }, { type: 'spawn', incarnation: 3, isRecovery: false, logoutOnly: true }]);
    const stopping = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'disconnect' }, { type: 'logout' }]);
    expect(stopping.effects.slice(-1)).toEqual([{ type: 'mark-logout' }]);
    const after = run([{ type: 'host-exit', incarnation: 1, kind: 'stopped', now: 1, jitter: 0 }], stopping.state);
    expect(after.effects).toEqual([{ type: 'spawn', incarnation: 2, isRecovery: false, logoutOnly: true }]);
  });

  it('operator restart stops the running host and spawns right after its exit, never two at once', () => {
    const s = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'restart' }]);
    expect(s.effects.at(-1)).toEqual({ type: 'stop-host', incarnation: 1 });
    expect(s.effects.filter((e) => e.type === 'spawn')).toHaveLength(1);
    const t = run([{ type: 'host-exit', incarnation: 1, kind: 'stopped', now: 1, jitter: 0 }], s.state);
    expect(t.effects).toEqual([{ type: 'spawn', incarnation: 2, isRecovery: true }]);
  });

  it('remove stops the host and reports removed after its exit', () => {
    const s = run([{ type: 'start', isRecovery: false }, ready(1, 0), { type: 'remove' }]);
    expect(s.effects.at(-1)).toEqual({ type: 'stop-host', incarnation: 1 });
    const t = run([{ type: 'host-exit', incarnation: 1, kind: 'stopped', now: 1, jitter: 0 }], s.state);
    expect(t.effects).toEqual([{ type: 'removed' }]);
    // Nothing brings a removed actor back.
    expect(run([{ type: 'start', isRecovery: false }, { type: 'restart' }], t.state).effects).toEqual([]);
  });

  it('drops events from a stale incarnation', () => {
    const s = run([{ type: 'start', isRecovery: false }, crash(1, 0)]).state;
    expect(s.incarnation).toBe(2);
    const t = run([{ type: 'host-status', incarnation: 1, status: 'connected' }, crash(1, 5)], s);
    expect(t.effects).toEqual([]);
    expect(t.state).toEqual(s);
  });
});
