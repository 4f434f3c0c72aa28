/**
 * The backend integration's lifecycle as one state (pure): `(state, event) → {state, effects}`, in
 * the shape of supervisor/actor/transitions.ts. No timers, no sockets: what the integration knows
 * of the world (did the start fall back to the cache? is the worker registered?) arrives inside
 * events, and the integration only applies the effects. What belongs to another object stays
 * there: the registration owns "registered", the assignment sync owns the followed sessions.
 */
export type Lifecycle =
  /** Built; start() not called yet (the operator's unregister command never starts). */
  | { phase: 'idle' }
  /** start(): the one bounded registration and the first assignments fetch. */
  | { phase: 'starting' }
  /**
   * Started. `degraded`: started on cached assignments; a catch-up loop owns the fetch until the
   * backend answers (the periodic poll stays out of its way). `reRegistering`: the backend forgot
   * this worker and one registration loop runs (never two).
   */
  | { phase: 'running'; degraded: boolean; reRegistering: boolean }
  /** Unregistered by the operator: no heartbeats, no polls, and never a registration of its own again. */
  | { phase: 'decommissioned'; degraded: boolean }
  /** stop(): timers and retries have ended; nothing starts again. */
  | { phase: 'stopped'; degraded: boolean; decommissioned: boolean };

export type LifecycleEvent =
  | { type: 'start' }
  /** The first registration and fetch are over: the list came from the backend, or (degraded) from the cache. */
  | { type: 'start-settled'; degraded: boolean }
  /** The catch-up loop fetched and applied a list after a degraded start. */
  | { type: 'caught-up' }
  /** The poll timer fired; `registered` is the registration's own answer at that moment. */
  | { type: 'poll-due'; registered: boolean }
  | { type: 'poll-done' }
  /** The backend said it does not know this worker (a heartbeat's 404, or BACKEND_WORKER_UNKNOWN on a fetch). */
  | { type: 'worker-unknown' }
  /** The re-registration loop ended (registered, or stopped). */
  | { type: 're-registered' }
  | { type: 'start-heartbeats' }
  /** The operator's unregister call was accepted. */
  | { type: 'unregistered' }
  | { type: 'stop' };

export type LifecycleEffect =
  /** start() called twice: the caller gets ALREADY_STARTED and nothing else happens. */
  | { type: 'refuse-start' }
  /** Count messages for the heartbeat from now on. */
  | { type: 'count-messages' }
  /** After a degraded start: register (with backoff), then fetch until the backend answers, then reconcile. */
  | { type: 'catch-up' }
  | { type: 'schedule-poll' }
  /** One periodic fetch and reconcile; `poll-done` follows, whatever its outcome. */
  | { type: 'poll' }
  /** Forget the registration and register again in the background; `re-registered` follows. */
  | { type: 'register-again' }
  | { type: 'start-heartbeats' }
  /** Unregistered: cancel the poll timer and stop the heartbeats. */
  | { type: 'end-loops' }
  /** Stop everything: message counting, timers, retries, heartbeats; then say "offline" once. */
  | { type: 'shut-down' };

export interface LifecycleTransition {
  state: Lifecycle;
  effects: LifecycleEffect[];
}

export const initialLifecycle: Lifecycle = { phase: 'idle' };

export function transition(state: Lifecycle, event: LifecycleEvent): LifecycleTransition {
  switch (event.type) {
    case 'start':
      if (state.phase !== 'idle') return { state, effects: [{ type: 'refuse-start' }] };
      return { state: { phase: 'starting' }, effects: [{ type: 'count-messages' }] };
    case 'start-settled':
      return onStartSettled(state, event.degraded);
    case 'caught-up':
      return 'degraded' in state ? same({ ...state, degraded: false }) : same(state);
    case 'poll-due':
      if (state.phase !== 'running') return same(state);
      // A degraded start's catch-up owns the fetch; unregistered, a 404 would not mean "none".
      return { state, effects: [!state.degraded && event.registered ? { type: 'poll' } : { type: 'schedule-poll' }] };
    case 'poll-done':
      return state.phase === 'running' ? { state, effects: [{ type: 'schedule-poll' }] } : same(state);
    case 'worker-unknown':
      // Before start has settled, start() itself registers; decommissioned or stopped, never again.
      if (state.phase !== 'running' || state.reRegistering) return same(state);
      return { state: { ...state, reRegistering: true }, effects: [{ type: 'register-again' }] };
    case 're-registered':
      return state.phase === 'running' ? same({ ...state, reRegistering: false }) : same(state);
    case 'start-heartbeats':
      return state.phase === 'decommissioned' || state.phase === 'stopped' ? same(state) : { state, effects: [{ type: 'start-heartbeats' }] };
    case 'unregistered':
      return onUnregistered(state);
    case 'stop':
      if (state.phase === 'stopped') return same(state);
      return { state: { phase: 'stopped', degraded: degraded(state), decommissioned: state.phase === 'decommissioned' }, effects: [{ type: 'shut-down' }] };
  }
}

function onStartSettled(state: Lifecycle, isDegraded: boolean): LifecycleTransition {
  switch (state.phase) {
    case 'starting':
      return {
        state: { phase: 'running', degraded: isDegraded, reRegistering: false },
        effects: isDegraded ? [{ type: 'catch-up' }, { type: 'schedule-poll' }] : [{ type: 'schedule-poll' }],
      };
    // Unregistered or stopped while starting: remember how the start went, start no loop.
    case 'decommissioned':
    case 'stopped':
      return same({ ...state, degraded: isDegraded });
    default:
      return same(state);
  }
}

function onUnregistered(state: Lifecycle): LifecycleTransition {
  switch (state.phase) {
    case 'decommissioned':
      return same(state);
    case 'stopped':
      return same({ ...state, decommissioned: true });
    default:
      return { state: { phase: 'decommissioned', degraded: degraded(state) }, effects: [{ type: 'end-loops' }] };
  }
}

/** Started on cached assignments and not caught up yet (what /health calls `degraded`). */
export function degraded(state: Lifecycle): boolean {
  return 'degraded' in state && state.degraded;
}

/** Unregistered by the operator, before or after a stop. */
export function decommissioned(state: Lifecycle): boolean {
  return state.phase === 'decommissioned' || (state.phase === 'stopped' && state.decommissioned);
}

function same(state: Lifecycle): LifecycleTransition {
  return { state, effects: [] };
}
