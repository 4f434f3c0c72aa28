import { WorkerError } from './errors.js';
import { MEDIA_ERROR_STATUS, type MediaErrorCode } from './media/media-errors.js';
import { SnapshotErrorCode, StorageErrorCode } from './storage/errors.js';

/**
 * Every stable code a WorkerError can carry, by area, so the compiler checks a code where it is
 * thrown and where it is mapped (supervisor/http/routes/errors.ts). Storage, snapshot and media
 * codes live beside their errors; the backend's are `BackendErrorCode` (its own WorkerError
 * subclass). Codes never change once released.
 */
export const SESSION_ERROR_CODES = [
  'INVALID_SESSION_ID',
  'SESSION_NOT_FOUND',
  'SESSION_NOT_CONNECTED',
  'MAX_SESSIONS_REACHED',
  'SHUTTING_DOWN',
  'QR_RENDER_FAILED',
  /** The per-session settings file (supervisor/registry/session-settings.ts). */
  'SESSION_SETTINGS_CORRUPT',
  'SESSION_SETTINGS_UNAVAILABLE',
  'SESSION_SETTINGS_WRITE_FAILED',
  /** A request that needs a live session after it ended (logged out, replaced, failed). */
  'SESSION_ENDED',
  /** Actor waits (`onStatus`). */
  'WAIT_TIMEOUT',
  'WAIT_ABORTED',
] as const;

/** Sends, number checks and chat actions (the host's answers cross IPC with these codes). */
export const SEND_ERROR_CODES = [
  'INVALID_RECIPIENT',
  'INVALID_MESSAGE',
  'NOT_CONNECTED',
  'APP_STATE_NOT_READY',
  'IDEMPOTENCY_KEY_REUSED',
  'RECIPIENT_NOT_ON_WHATSAPP',
  'CONTACT_CHECK_FAILED',
  'SEND_FAILED',
  'SEND_INTERRUPTED',
  'SEND_TIMEOUT',
  'ACTION_FAILED',
] as const;

/**
 * Talking to one session host, and the host's own answers: `STOPPING` (a request while it ends),
 * `NOT_READY` (a request before init), `INIT_INVALID`/`INIT_TIMEOUT` (its start-up).
 */
export const HOST_ERROR_CODES = ['HOST_EXITED', 'HOST_NOT_RUNNING', 'IPC_CLOSED', 'INBOX_ACK_TIMEOUT', 'HOST_REQUEST_TIMEOUT', 'HOST_CHANNEL_CLOSED', 'STOPPING', 'NOT_READY', 'INIT_INVALID', 'INIT_TIMEOUT', 'LOCK_HELD', 'TIMEOUT'] as const;

/** Pairing by phone-number code (issue 19 §1). */
export const PAIRING_ERROR_CODES = ['INVALID_PHONE_NUMBER', 'ALREADY_LINKED', 'PAIRING_NOT_READY', 'PAIRING_INTERRUPTED', 'PAIRING_ATTEMPTS_EXHAUSTED'] as const;

/** A session's proxy (issue 19 §2): its URL, the tunnel through it, media fetches that would bypass its checks. */
export const PROXY_ERROR_CODES = ['PROXY_URL_INVALID', 'PROXY_UNREACHABLE', 'PROXY_REFUSED', 'MEDIA_PROXY_UNCHECKED'] as const;

/** The worker process itself: configuration, its data folder, its own files. */
export const PROCESS_ERROR_CODES = [
  'CONFIG_INVALID',
  'DATA_DIR_UNAVAILABLE',
  'WORKER_ID_INVALID',
  'WORKER_ID_UNREADABLE',
  'REGISTRY_CORRUPT',
  'HTTP_LISTEN_FAILED',
  'OUTBOX_UNAVAILABLE',
  'OUTBOX_CLOSED',
  'OUTBOX_WRITE_FAILED',
  /** A component's start() called a second time (a programming error; never thrown at a route, so no HTTP status). */
  'ALREADY_STARTED',
  /** Anything without a code of its own (see `errorCode`). */
  'INTERNAL',
] as const;

export type SessionErrorCode = (typeof SESSION_ERROR_CODES)[number];
export type SendErrorCode = (typeof SEND_ERROR_CODES)[number];
export type HostErrorCode = (typeof HOST_ERROR_CODES)[number];
export type PairingErrorCode = (typeof PAIRING_ERROR_CODES)[number];
export type ProxyErrorCode = (typeof PROXY_ERROR_CODES)[number];
export type ProcessErrorCode = (typeof PROCESS_ERROR_CODES)[number];

export type WorkerErrorCode = SessionErrorCode | SendErrorCode | HostErrorCode | PairingErrorCode | ProxyErrorCode | ProcessErrorCode | StorageErrorCode | SnapshotErrorCode | MediaErrorCode;

const KNOWN: ReadonlySet<string> = new Set<string>([
  ...SESSION_ERROR_CODES,
  ...SEND_ERROR_CODES,
  ...HOST_ERROR_CODES,
  ...PAIRING_ERROR_CODES,
  ...PROXY_ERROR_CODES,
  ...PROCESS_ERROR_CODES,
  ...Object.values(StorageErrorCode),
  ...Object.values(SnapshotErrorCode),
  ...Object.keys(MEDIA_ERROR_STATUS),
]);

/** For codes that arrive as strings (over IPC, from a stored record): is it one of ours? */
export function isWorkerErrorCode(code: string): code is WorkerErrorCode {
  return KNOWN.has(code);
}

/**
 * Rebuilds an error whose code arrived as a plain string (over IPC, from a stored record, from a
 * codec thread). A code that is not one of ours (a Node errno, a library's) becomes `INTERNAL`,
 * with the original kept in `details.code` for the logs.
 */
export function rebuildError(code: string, message: string, details?: Record<string, unknown>): WorkerError {
  if (isWorkerErrorCode(code)) return new WorkerError(code, message, details === undefined ? {} : { details });
  return new WorkerError('INTERNAL', message, { details: { ...details, code } });
}
