/**
 * Canonical session statuses (design.md §4), lower case everywhere inside the worker. Profile
 * mappers translate them for the backend; nothing else invents status strings.
 */
export const SESSION_STATUSES = [
  'starting',
  'recovering',
  'qr_required',
  /** A pairing code (issue 19 §1) is on offer: type it on the phone instead of scanning a QR. */
  'pairing_code_required',
  'connecting',
  'connected',
  'reconnecting',
  'disconnected',
  'logged_out',
  'replaced',
  'failed',
] as const;

export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Statuses after which no host runs for the session until an operator acts. */
export const ENDED_STATUSES: ReadonlySet<SessionStatus> = new Set(['disconnected', 'logged_out', 'replaced', 'failed']);

export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === 'string' && (SESSION_STATUSES as readonly string[]).includes(value);
}

/**
 * Stable `reason` values that accompany `failed` (and recovery failures), `recovering` after a
 * transient boot failure (`storage_unavailable`, `lock_held`), and `reconnecting` when the
 * session's proxy is the cause (`proxy_unreachable`, `proxy_refused`).
 */
export const FAILURE_REASONS = [
  'crash_loop',
  'qr_timeout',
  'bad_session',
  'multidevice_mismatch',
  /** 403: WhatsApp refuses the account (banned); needs a human, never retried. */
  'forbidden',
  'auth_expired',
  'no_auth',
  'logged_out',
  'replaced',
  'timeout',
  'unresponsive',
  /** Transient at boot: `recovering` with this reason while the host is restarted with backoff. */
  'lock_held',
  'init_failed',
  /** Snapshots unreadable or storage refusing us (credentials, corrupt, wrong key): needs a human. */
  'storage_error',
  /** Transient at boot: storage unreachable or timing out; `recovering` while it lasts. */
  'storage_unavailable',
  /** The WhatsApp server's certificate chain failed verification (issue 16). */
  'untrusted_server',
  /** A logout WhatsApp could not be told about yet: `disconnected`, auth kept, done at the next start. */
  'logout_pending',
  /** `reconnecting` while the session's proxy does not answer (issue 19 §2); retried with backoff, never failed. */
  'proxy_unreachable',
  /** `reconnecting` while the session's proxy answers no (wrong credentials, refused target); retried with backoff. */
  'proxy_refused',
  'unknown',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];
