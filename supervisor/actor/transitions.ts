import type { ExitKind } from '../../src/exit-codes.js';
import { isRestartable, isTransientBootFailure, type TransientBootFailure } from '../../src/exit-codes.js';
import type { FailureReason, SessionStatus } from '../../src/status.js';
import { restartDelay, streakAfterUptime } from '../policy/backoff.js';
import { decideRestart } from '../policy/restart-window.js';
import { STICKY_STATUSES, WANTED_RUNNING, withDurable, type ActorEvent, type ActorState, type Desired, type DurableState, type Effect, type Policy, type Transition } from './state.js';

export { hostWanted, initialState, mayRecover, WANTED_RUNNING } from './state.js';
export type { ActorEvent, ActorState, Desired, DurableState, Effect, Ended, HostPhase, Policy, Transition } from './state.js';

/**
 * The pure state machine of one session actor: `(state, event) → {state, effects}`. No timers, no
 * processes, no clock: time and randomness arrive inside events, so every supervision rule of
 * design.md §5 is unit-tested here and the actor only applies effects.
 *
 * Invariant: at most one host per session. A new host is spawned only when `phase` is `none` or
 * `waiting`, i.e. after the previous host's `'exit'`.
 */

/**
 * The durable state (what outlives this supervisor) follows the operator's commands, never a
 * shutdown, a crash loop or a terminal failure; a session that becomes logged out or replaced stays
 * ended, and unwanted, across supervisor restarts (`recordEnd`).
 */
export function transition(state: ActorState, event: ActorEvent, policy: Policy): Transition {
  return recordEnd(state, step(state, event, policy));
}

function step(state: ActorState, event: ActorEvent, policy: Policy): Transition {
  if (state.desired === 'removed') {
    // Only the exit of the host being stopped still matters: it completes the removal.
    if (event.type === 'host-exit' && event.incarnation === state.incarnation && state.phase !== 'none') {
      return { state: { ...state, phase: 'none', readyAt: null }, effects: [{ type: 'removed' }] };
    }
    return same(state);
  }
  switch (event.type) {
    case 'start':
      // An explicit start (a create) means "run it again", even if it ended or is quarantined.
      return event.isRecovery ? onStart(state, true) : intend(onStart(state, false), WANTED_RUNNING);
    case 'restart':
      return intend(onRestart(state), WANTED_RUNNING);
    case 'disconnect': {
      const t = onStopRequest(state, 'disconnected', 'stopped');
      return event.shutdown ? t : intend(t, { ...state.durable, intent: 'stopped' });
    }
    case 'logout':
      // `ended` follows once a host reports `logged_out`; until then the logout may be pending.
      return intend(onLogout(state), { ...state.durable, intent: 'stopped' });
    case 'remove':
      return onStopRequest(state, state.status, 'removed');
    case 'backoff-elapsed': {
      if (event.incarnation !== state.incarnation || state.phase !== 'waiting' || state.desired !== 'running') return same(state);
      const next = spawn(state, true, []);
      // Retrying a transient boot failure: keep showing why until the new host gets through.
      if (isTransientBootFailure(state.reason)) next.state = { ...next.state, status: 'recovering' };
      return next;
    }
    default:
      if (event.incarnation !== state.incarnation) return same(state); // a stale host's late news
      return onHostEvent(state, event, policy);
  }
}

function intend(t: Transition, durable: DurableState): Transition {
  return { state: withDurable(t.state, durable), effects: t.effects };
}

/** Entering logged_out or replaced (the moment the actor reports it) ends the session for good. */
function recordEnd(before: ActorState, t: Transition): Transition {
  const { status, reason } = t.state;
  if (!STICKY_STATUSES.has(status) || (status === before.status && reason === before.reason)) return t;
  return intend(t, { intent: 'stopped', ended: { status, reason } });
}

function same(state: ActorState): Transition {
  return { state, effects: [] };
}

function spawn(state: ActorState, isRecovery: boolean, before: Effect[]): Transition {
  const incarnation = state.incarnation + 1;
  return {
    state: {
      ...state,
      desired: 'running',
      phase: 'booting',
      incarnation,
      status: 'starting',
      readyAt: null,
      spawnedForRecovery: isRecovery,
      restored: false,
      restartAfterStop: false,
      stopStatus: null,
      hostReason: null,
      logoutAfterStop: false,
    },
    effects: [...before, { type: 'spawn', incarnation, isRecovery }],
  };
}

/** A host started only to log out: it tells WhatsApp, deletes the auth and exits (bounded). */
function spawnLogout(state: ActorState, before: Effect[]): Transition {
  const t = spawn(state, false, before);
  const effects = t.effects.map((e): Effect => (e.type === 'spawn' ? { ...e, logoutOnly: true } : e));
  return { state: { ...t.state, desired: 'stopped', stopStatus: 'logged_out', logoutPending: true }, effects };
}

/**
 * Logout (issue 13 §7): WhatsApp must be told, so it always goes through a host that holds the
 * session lock — the running one by IPC, or one started for it. The marker is written first.
 */
function onLogout(state: ActorState): Transition {
  const base: ActorState = { ...state, desired: 'stopped', restartAfterStop: false, logoutPending: true };
  const mark: Effect = { type: 'mark-logout' };
  switch (state.phase) {
    case 'none':
      // Already logged out (the host deleted everything): nothing left to tell anyone.
      if (state.status === 'logged_out' && !state.logoutPending) return same(state);
      return spawnLogout({ ...base, reason: null }, [mark]);
    case 'waiting':
      return spawnLogout({ ...base, reason: null }, [{ type: 'cancel-restart' }, mark]);
    case 'stopping':
      // A plain stop is in flight: the host that follows its exit logs out.
      return { state: { ...base, stopStatus: 'logged_out', logoutAfterStop: true }, effects: [mark] };
    default:
      return { state: { ...base, phase: 'stopping', stopStatus: 'logged_out' }, effects: [mark, { type: 'logout-host', incarnation: state.incarnation }] };
  }
}

function onStart(state: ActorState, isRecovery: boolean): Transition {
  switch (state.phase) {
    case 'none':
      // A quarantine is lifted only by an operator restart, never by a plain start.
      if (state.status === 'failed' && state.reason === 'crash_loop') return same(state);
      return spawn({ ...state, reason: null }, isRecovery, []);
    case 'waiting':
      // Asked to run while backing off: it already wants to run; the timer decides.
      return { state: { ...state, desired: 'running' }, effects: [] };
    case 'stopping':
      // A stop is in flight (e.g. disconnect then start): run again once it has exited.
      return { state: { ...state, desired: 'running', restartAfterStop: true }, effects: [] };
    default:
      return same(state);
  }
}

/** Operator restart: forgive the crash history (it lifts a quarantine) and start fresh. */
function onRestart(state: ActorState): Transition {
  const forgiven: ActorState = { ...state, history: [], streak: 0, restarts: 0, reason: null };
  switch (state.phase) {
    case 'none':
      return spawn(forgiven, true, []);
    case 'waiting':
      return spawn(forgiven, true, [{ type: 'cancel-restart' }]);
    case 'stopping':
      return { state: { ...forgiven, desired: 'running', restartAfterStop: true }, effects: [] };
    default:
      return {
        state: { ...forgiven, desired: 'running', phase: 'stopping', restartAfterStop: true, stopStatus: null },
        effects: [{ type: 'stop-host', incarnation: state.incarnation }],
      };
  }
}

/** disconnect and remove: never restarted afterwards (a pending logout stays pending). */
function onStopRequest(state: ActorState, settle: SessionStatus, desired: Desired): Transition {
  const base: ActorState = { ...state, desired, restartAfterStop: false, logoutAfterStop: false };
  switch (state.phase) {
    case 'none':
    case 'waiting': {
      const effects: Effect[] = state.phase === 'waiting' ? [{ type: 'cancel-restart' }] : [];
      if (desired === 'removed') effects.push({ type: 'removed' });
      const reason = settle === 'failed' ? state.reason : settle === 'disconnected' && state.logoutPending ? 'logout_pending' : null;
      return { state: { ...base, phase: 'none', status: settle, reason, stopStatus: null }, effects };
    }
    case 'stopping':
      // Already going down; a remove asked during a stop still decides how it ends.
      return { state: { ...base, stopStatus: state.stopStatus ?? settle }, effects: [] };
    default:
      return { state: { ...base, phase: 'stopping', stopStatus: settle }, effects: [{ type: 'stop-host', incarnation: state.incarnation }] };
  }
}

function onHostEvent(state: ActorState, event: Exclude<ActorEvent, { type: 'start' | 'restart' | 'disconnect' | 'logout' | 'remove' | 'backoff-elapsed' }>, policy: Policy): Transition {
  switch (event.type) {
    case 'host-ready':
      if (state.phase !== 'booting') return same(state);
      return { state: { ...state, phase: 'running', readyAt: event.now, restored: event.restoredFrom !== 'none' }, effects: [] };
    case 'host-status': {
      if (state.phase === 'none' || state.phase === 'waiting') return same(state);
      // A retried boot says `starting` first; `recovering` with the reason stays until it is past that.
      if (event.status === 'starting' && isTransientBootFailure(state.reason)) return same(state);
      // While stopping, the host's own last words (e.g. `disconnected`) must not overwrite what
      // the operator asked for; the exit settles the status.
      if (state.phase === 'stopping') return same(state);
      const hostReason = event.status === 'failed' ? event.reason ?? 'unknown' : state.hostReason;
      // `reconnecting` carries the host's reason when it knows one (the session's proxy, issue 19 §2).
      const reason = event.status === 'failed' ? hostReason : event.status === 'reconnecting' ? (event.reason ?? null) : null;
      return { state: { ...state, status: event.status, reason, hostReason }, effects: [] };
    }
    case 'host-init-failed':
      return { state: { ...state, hostReason: event.reason }, effects: [] };
    case 'host-exit':
      return onExit(state, event, policy);
  }
}

function onExit(state: ActorState, event: Extract<ActorEvent, { type: 'host-exit' }>, policy: Policy): Transition {
  const down: ActorState = { ...state, phase: 'none', readyAt: null };
  if (state.desired === 'removed') return { state: down, effects: [{ type: 'removed' }] };
  if (state.restartAfterStop) return spawn(down, true, []);
  if (event.kind === 'logged_out') {
    // Logged out by our request or by WhatsApp (401): the host deleted the auth and the marker.
    return { state: { ...down, desired: 'stopped', status: 'logged_out', reason: null, stopStatus: null, logoutPending: false, logoutAfterStop: false }, effects: [] };
  }
  if (state.desired === 'stopped' || state.phase === 'stopping') {
    if (state.logoutAfterStop) return spawnLogout({ ...down, logoutAfterStop: false }, []);
    // The logout could not reach WhatsApp (or its host did not get that far): it stays pending.
    if (state.logoutPending) return { state: { ...down, desired: 'stopped', status: 'disconnected', reason: 'logout_pending', stopStatus: null }, effects: [] };
    return { state: { ...down, desired: 'stopped', status: state.stopStatus ?? 'disconnected', reason: null, stopStatus: null }, effects: [] };
  }
  if (isTransientBootFailure(event.kind)) return retryBoot(down, event.kind, event.jitter, policy);
  if (!isRestartable(event.kind)) return settleTerminal(down, event.kind);
  return restartAfterCrash(down, event, policy, state.readyAt);
}

/**
 * Storage down or a lock still held at boot (issue 13 §2): the same capped exponential backoff as
 * crashes (never immediate: the cause needs time to clear), but outside the restart-intensity
 * window, since a storage outage of any length must not quarantine every session as a crash loop.
 */
function retryBoot(state: ActorState, reason: TransientBootFailure, jitter: number, policy: Policy): Transition {
  const delayMs = restartDelay(state.streak + 1, policy.backoff, () => jitter);
  return {
    state: { ...state, phase: 'waiting', status: 'recovering', reason, streak: state.streak + 1 },
    effects: [{ type: 'schedule-restart', incarnation: state.incarnation, delayMs }],
  };
}

/** The host chose to exit for a reason that a restart cannot fix (OTP transient semantics). */
function settleTerminal(state: ActorState, kind: ExitKind): Transition {
  const end = (status: SessionStatus, reason: FailureReason | null): Transition => ({
    state: { ...state, desired: 'stopped', status, reason },
    effects: [],
  });
  switch (kind) {
    case 'stopped':
      return end('disconnected', null);
    case 'logged_out':
      return end('logged_out', null);
    case 'replaced':
      return end('replaced', null);
    case 'init_failed':
      return end('failed', state.hostReason ?? 'init_failed');
    default:
      return end('failed', state.hostReason ?? 'unknown');
  }
}

function restartAfterCrash(state: ActorState, event: Extract<ActorEvent, { type: 'host-exit' }>, policy: Policy, readyAt: number | null): Transition {
  const streak = streakAfterUptime(state.streak, readyAt, event.now, policy.backoff);
  const decision = decideRestart(state.history, event.now, policy.window);
  if (decision.action === 'quarantine') {
    return {
      state: { ...state, desired: 'stopped', status: 'failed', reason: 'crash_loop', history: decision.history, streak },
      effects: [{ type: 'quarantined', restartsInWindow: decision.history.length }],
    };
  }
  const delayMs = restartDelay(streak, policy.backoff, () => event.jitter);
  const next: ActorState = {
    ...state,
    history: decision.history,
    streak: streak + 1,
    restarts: state.restarts + 1,
    reason: event.killedFor ?? null,
  };
  if (delayMs === 0) return spawn(next, true, []);
  return {
    state: { ...next, phase: 'waiting', status: 'reconnecting' },
    effects: [{ type: 'schedule-restart', incarnation: state.incarnation, delayMs }],
  };
}
