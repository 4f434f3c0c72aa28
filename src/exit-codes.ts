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
 * | 13   | session lock held by another live host           | no        |
 * | 14   | fatal init failure (bad init message, storage)   | no        |
 * | 15   | IPC channel gone: supervisor died (orphan guard) | n/a       |
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
} as const;

export type ExitKind = 'stopped' | 'logged_out' | 'replaced' | 'failed' | 'lock_held' | 'init_failed' | 'orphaned' | 'crash';

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
    default: return 'crash';
  }
}

/** Whether the supervisor should restart a host that exited this way (transient policy). */
export function isRestartable(kind: ExitKind): boolean {
  return kind === 'crash' || kind === 'orphaned';
}
