import type { ExitKind } from '../../src/exit-codes.js';
import type { FailureReason, SessionStatus } from '../../src/status.js';
import type { BackoffSettings } from '../policy/backoff.js';
import type { RestartWindowSettings } from '../policy/restart-window.js';

/**
 * The data of one session actor's state machine: its state, the events it accepts and the effects
 * it asks for. `transitions.ts` holds the rules; `session-actor.ts` applies the effects.
 */

/**
 * Where the state machine steers the current host. A crash loop or a terminal failure sets it to
 * `stopped` without any operator asking; what the operator asked for is `DurableState.intent`.
 */
export type Desired = 'running' | 'stopped' | 'removed';

/** How a session ended when that must outlive this supervisor (logged out, replaced). */
export interface Ended {
  readonly status: SessionStatus;
  readonly reason: FailureReason | null;
}

/**
 * The part of a session's state that outlives this supervisor (standalone: DATA_DIR/registry.json,
 * read back for recovery at the next start). `intent`: what the operator asked for last (create or
 * restart: running; disconnect or logout: stopped); a crash loop, a terminal failure or a shutdown
 * leave it as it is, so the next start tries again. `ended`: set when the session is logged out or
 * replaced, which recovery must never undo; cleared only by an explicit start or restart.
 */
export interface DurableState {
  readonly intent: 'running' | 'stopped';
  readonly ended: Ended | null;
}

/** A new session's durable state: wanted running, not ended. */
export const WANTED_RUNNING: DurableState = { intent: 'running', ended: null };

/** Statuses that end a session for good across supervisor restarts (recovery must not undo them). */
export const STICKY_STATUSES: ReadonlySet<SessionStatus> = new Set(['logged_out', 'replaced']);

/**
 * The host's life: `none` (no process), `booting` (forked, no `ready` yet), `running` (ready),
 * `stopping` (stop or logout sent, waiting for `'exit'`), `waiting` (backoff timer before a restart).
 */
export type HostPhase = 'none' | 'booting' | 'running' | 'stopping' | 'waiting';

export interface ActorState {
  readonly desired: Desired;
  /** Replaced (a new object) only when its content changes: a new reference means "persist me". */
  readonly durable: DurableState;
  readonly phase: HostPhase;
  /** Counts spawns; host events from another incarnation are stale and dropped. */
  readonly incarnation: number;
  readonly status: SessionStatus;
  readonly reason: FailureReason | null;
  /** Consecutive quick crashes: drives the backoff. */
  readonly streak: number;
  /** Restart timestamps inside the intensity window. */
  readonly history: readonly number[];
  /** Restarts after abnormal exits since creation or the last operator restart. */
  readonly restarts: number;
  readonly readyAt: number | null;
  /** The current host was spawned to restore earlier auth (recovery, restart after a crash). */
  readonly spawnedForRecovery: boolean;
  /** The current host restored auth (local, remote or legacy) rather than starting empty. */
  readonly restored: boolean;
  /** An operator restart waits for the current host to exit, then spawns at once. */
  readonly restartAfterStop: boolean;
  /** Status to settle on when the host we are stopping exits. */
  readonly stopStatus: SessionStatus | null;
  /** Reason the host gave (a `failed` status or `init-failed`) before it exited. */
  readonly hostReason: FailureReason | null;
  /**
   * A logout was asked and WhatsApp has not confirmed it yet (the marker in DATA_DIR says the same
   * to hosts): whichever host runs next logs out before anything else (issue 13 §7).
   */
  readonly logoutPending: boolean;
  /** A logout arrived while a plain stop was in flight: a logout host follows the exit. */
  readonly logoutAfterStop: boolean;
}

export interface Policy {
  backoff: BackoffSettings;
  window: RestartWindowSettings;
}

export type ActorEvent =
  | { type: 'start'; isRecovery: boolean }
  | { type: 'restart' }
  /** `shutdown`: the supervisor stops, not the operator; the intent stays for the next start's recovery. */
  | { type: 'disconnect'; shutdown?: true }
  | { type: 'logout' }
  | { type: 'remove' }
  | { type: 'host-ready'; incarnation: number; now: number; restoredFrom: 'local' | 'remote' | 'legacy' | 'none' }
  | { type: 'host-status'; incarnation: number; status: SessionStatus; reason?: FailureReason | undefined }
  | { type: 'host-init-failed'; incarnation: number; reason: FailureReason }
  | {
      type: 'host-exit';
      incarnation: number;
      kind: ExitKind;
      now: number;
      /** Set when the supervisor killed the host on purpose (watchdog). */
      killedFor?: FailureReason | undefined;
      /** A number in [0, 1) for the backoff jitter, drawn by the actor. */
      jitter: number;
    }
  | { type: 'backoff-elapsed'; incarnation: number };

export type Effect =
  /** `logoutOnly`: a host started only to log out (bounded by LOGOUT_TIMEOUT_MS). */
  | { type: 'spawn'; incarnation: number; isRecovery: boolean; logoutOnly?: true }
  /** IPC stop (flush, close without logout) → SIGTERM → SIGKILL. */
  | { type: 'stop-host'; incarnation: number }
  /** IPC logout: the host logs out, deletes its auth under the session lock and exits with LOGGED_OUT (or LOGOUT_PENDING). */
  | { type: 'logout-host'; incarnation: number }
  /** Writes the pending-logout marker in DATA_DIR before any host is told (survives a supervisor crash). */
  | { type: 'mark-logout' }
  | { type: 'schedule-restart'; incarnation: number; delayMs: number }
  | { type: 'cancel-restart' }
  | { type: 'quarantined'; restartsInWindow: number }
  | { type: 'removed' };

export interface Transition {
  state: ActorState;
  effects: Effect[];
}

/**
 * A new actor; `durable` seeds what an earlier supervisor recorded (standalone registry file), with
 * the status it ended in; `logoutPending` whether a logout marker waits in DATA_DIR.
 */
export function initialState(durable: DurableState = WANTED_RUNNING, logoutPending = false): ActorState {
  const status = durable.ended?.status ?? 'disconnected';
  return {
    desired: 'stopped',
    durable,
    phase: 'none',
    incarnation: 0,
    status,
    reason: durable.ended?.reason ?? (logoutPending && status === 'disconnected' ? 'logout_pending' : null),
    streak: 0,
    history: [],
    restarts: 0,
    readyAt: null,
    spawnedForRecovery: false,
    restored: false,
    restartAfterStop: false,
    stopStatus: null,
    hostReason: null,
    logoutPending,
    logoutAfterStop: false,
  };
}

/** Recovery at start brings back what the operator wanted running, never an ended session. */
export function mayRecover(durable: DurableState): boolean {
  return durable.intent === 'running' && durable.ended === null;
}

/**
 * A host runs or is due (booting, running, stopping, or waiting out a backoff) for a session the
 * operator wants running and that has not ended: a changed proxy restarts it.
 */
export function hostWanted(state: ActorState): boolean {
  return mayRecover(state.durable) && state.phase !== 'none';
}

/** `state` with `durable` replaced, keeping the old reference when nothing changed. */
export function withDurable(state: ActorState, durable: DurableState): ActorState {
  const a = state.durable;
  const same = a.intent === durable.intent && a.ended?.status === durable.ended?.status && a.ended?.reason === durable.ended?.reason;
  return same ? state : { ...state, durable };
}
