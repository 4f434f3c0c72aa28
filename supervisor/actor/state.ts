import type { ExitKind } from '../../src/exit-codes.js';
import type { FailureReason, SessionStatus } from '../../src/status.js';
import type { BackoffSettings } from '../policy/backoff.js';
import type { RestartWindowSettings } from '../policy/restart-window.js';

/**
 * The data of one session actor's state machine: its state, the events it accepts and the effects
 * it asks for. `transitions.ts` holds the rules; `session-actor.ts` applies the effects.
 */

/** What the operator (or the backend) wants. */
export type Desired = 'running' | 'stopped' | 'removed';

/**
 * The host's life: `none` (no process), `booting` (forked, no `ready` yet), `running` (ready),
 * `stopping` (stop or logout sent, waiting for `'exit'`), `waiting` (backoff timer before a restart).
 */
export type HostPhase = 'none' | 'booting' | 'running' | 'stopping' | 'waiting';

export interface ActorState {
  readonly desired: Desired;
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
  | { type: 'disconnect' }
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
 * A new actor; `ended` seeds how a session ended before this supervisor started, `logoutPending`
 * whether a logout marker waits in DATA_DIR.
 */
export function initialState(ended?: { status: SessionStatus; reason: FailureReason | null }, logoutPending = false): ActorState {
  const status = ended?.status ?? 'disconnected';
  return {
    desired: 'stopped',
    phase: 'none',
    incarnation: 0,
    status,
    reason: ended?.reason ?? (logoutPending && status === 'disconnected' ? 'logout_pending' : null),
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
