/**
 * Exit codes of a session host. The supervisor restarts a host only after an abnormal exit
 * (OTP "transient" children): any code not listed here, or death by a signal, is a crash.
 *
 * | code | meaning                                          | restarted |
 * |------|--------------------------------------------------|-----------|
 * | 0    | stopped on request (auth flushed, no logout)     | no        |
 * | 10   | logged out (WhatsApp revoked the device, 401)    | no        |
 * | 11   | replaced by another client (440)                 | no        |
 * | 12   | failed: needs a human (500 past its bound, 403, 411, QR cap) | no |
 * | 13   | session lock held by another live host           | after backoff (transient boot failure) |
 * | 14   | fatal init failure (bad init message, unreadable or refused storage) | no |
 * | 15   | IPC channel gone: supervisor died (orphan guard) | n/a       |
 * | 16   | storage unreachable or timing out at boot        | after backoff (transient boot failure) |
 * | 17   | logout asked, WhatsApp not reachable in time: pending, auth kept | no |
 * | else | crash                                            | yes       |
 */
export const EXIT = {
  STOPPED: 0,
  LOGGED_OUT: 10,
  REPLACED: 11,
  FAILED: 12,
  LOCK_HELD: 13,
  INIT_FAILED: 14,
  ORPHANED: 15,
  STORAGE_UNAVAILABLE: 16,
  LOGOUT_PENDING: 17,
} as const;

export type ExitKind = 'stopped' | 'logged_out' | 'replaced' | 'failed' | 'lock_held' | 'init_failed' | 'orphaned' | 'storage_unavailable' | 'logout_pending' | 'crash';

/** Pure classification of a child's `'exit'` event. */
export function classifyExit(code: number | null, signal: NodeJS.Signals | string | null): ExitKind {
  if (signal !== null && signal !== undefined) return 'crash';
  switch (code) {
    case EXIT.STOPPED: return 'stopped';
    case EXIT.LOGGED_OUT: return 'logged_out';
    case EXIT.REPLACED: return 'replaced';
    case EXIT.FAILED: return 'failed';
    case EXIT.LOCK_HELD: return 'lock_held';
    case EXIT.INIT_FAILED: return 'init_failed';
    case EXIT.ORPHANED: return 'orphaned';
    case EXIT.STORAGE_UNAVAILABLE: return 'storage_unavailable';
    case EXIT.LOGOUT_PENDING: return 'logout_pending';
    default: return 'crash';
  }
}

/** Whether the supervisor should restart a host that exited this way (transient policy). */
export function isRestartable(kind: ExitKind): boolean {
  return kind === 'crash' || kind === 'orphaned';
}

/**
 * A boot that could not get through for a reason that clears by itself (issue 13 §2): storage
 * down or timing out, or a lock still held by a host that is on its way out. Restarted with the
 * capped backoff for as long as it lasts, shown as `recovering` with the reason, never counted
 * towards the crash-loop quarantine.
 */
export type TransientBootFailure = Extract<ExitKind, 'lock_held' | 'storage_unavailable'>;

export function isTransientBootFailure(kind: ExitKind | string | null | undefined): kind is TransientBootFailure {
  return kind === 'lock_held' || kind === 'storage_unavailable';
}
