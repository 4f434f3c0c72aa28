/**
 * Which host spawns are restarts, and why (pure). The actor's state machine decides *that* a host
 * is spawned; this decides how `wa_host_restarts_total` labels it. A crash restart may be spawned
 * at once or after a backoff timer, an operator restart of a running host only after the old host
 * exited, so the reason is carried as `pending` between those events.
 */
import { isRestartable, isTransientBootFailure, type ExitKind } from '../../src/exit-codes.js';
import type { FailureReason } from '../../src/status.js';
import type { ActorEvent, Effect } from '../actor/state.js';
import type { RestartReason } from './labels.js';

export interface RestartAccounting {
  /** Set when this transition spawned a host that is a restart. */
  restarted: RestartReason | null;
  /** The reason the next spawn will carry (a backoff or a stop is in between). */
  pending: RestartReason | null;
}

/** Restart reason of an abnormal exit: a watchdog kill, an orphaned host, or any other crash. */
export function crashRestartReason(kind: ExitKind, killedFor: FailureReason | undefined): RestartReason {
  if (killedFor === 'unresponsive') return 'unresponsive';
  if (kind === 'orphaned') return 'orphaned';
  return 'crash';
}

function reasonOf(event: ActorEvent, pending: RestartReason | null): RestartReason | null {
  switch (event.type) {
    case 'restart':
      return 'operator';
    case 'host-exit':
      if (pending) return pending;
      if (isTransientBootFailure(event.kind)) return event.kind;
      return isRestartable(event.kind) ? crashRestartReason(event.kind, event.killedFor) : null;
    case 'backoff-elapsed':
      return pending;
    default:
      // A plain start (create, recovery) is a first spawn, not a restart.
      return null;
  }
}

export function accountRestart(event: ActorEvent, effects: readonly Effect[], pending: RestartReason | null): RestartAccounting {
  const reason = reasonOf(event, pending);
  if (effects.some((e) => e.type === 'spawn')) return { restarted: reason, pending: null };
  if (effects.some((e) => e.type === 'schedule-restart')) return { restarted: null, pending: reason };
  // An operator restart of a running host stops it first; the spawn follows its exit.
  if (event.type === 'restart') return { restarted: null, pending: 'operator' };
  if (event.type === 'disconnect' || event.type === 'logout' || event.type === 'remove') return { restarted: null, pending: null };
  return { restarted: null, pending };
}
