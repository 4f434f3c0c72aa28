import type { ActorSnapshot } from '../actor/session-actor.js';
import type { FailureReason } from '../../src/status.js';

/**
 * Pure judgement of where a recovering session stands. `null` = not final yet, keep waiting.
 *
 * connected → recovered · a ready host that restored nothing → no_auth (it would only show a QR) ·
 * qr_required → auth_expired · logged_out / replaced → failed with that reason · failed → its
 * reason · a host that is gone without any of these (exited 0 on its own) → unknown.
 */
export type Verdict = { outcome: 'recovered' } | { outcome: 'failed'; reason: FailureReason; retryable: boolean };

/** Causes a new attempt may fix: storage hiccups, a leftover host still holding the lock, a crash at init. */
const RETRYABLE: ReadonlySet<FailureReason> = new Set(['storage_error', 'init_failed', 'lock_held', 'unknown', 'unresponsive']);

export function isRetryable(reason: FailureReason): boolean {
  return RETRYABLE.has(reason);
}

export function judge(s: ActorSnapshot): Verdict | null {
  const { state } = s;
  const failed = (reason: FailureReason): Verdict => ({ outcome: 'failed', reason, retryable: isRetryable(reason) });
  if (state.status === 'connected') return { outcome: 'recovered' };
  if ((state.phase === 'running' || state.phase === 'booting') && state.readyAt !== null && !state.restored) return failed('no_auth');
  switch (state.status) {
    case 'qr_required':
    case 'pairing_code_required':
      return failed(state.restored ? 'auth_expired' : 'no_auth');
    case 'logged_out':
      return failed('logged_out');
    case 'replaced':
      return failed('replaced');
    case 'failed':
      return failed(state.reason ?? 'unknown');
    case 'disconnected':
      return state.phase === 'none' && state.incarnation > 0 ? failed('unknown') : null;
    default:
      return null;
  }
}
