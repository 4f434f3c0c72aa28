/**
 * Label values are bounded before they reach prom-client: every distinct value is a new time
 * series, and some values come from a session host (close codes, storage error codes) that must not
 * be able to blow up the supervisor's memory or the Prometheus server. Pure functions, no I/O.
 */
import { FAILURE_REASONS, SESSION_STATUSES } from '../../src/status.js';
import type { ExitKind } from '../../src/exit-codes.js';

export const OTHER = 'other';

export const EXIT_KINDS: readonly ExitKind[] = ['stopped', 'logged_out', 'replaced', 'failed', 'lock_held', 'init_failed', 'orphaned', 'storage_unavailable', 'logout_pending', 'crash'];

/** Why a host was restarted: an abnormal exit kind, a transient boot failure, a watchdog kill, or an operator request. */
export const RESTART_REASONS = ['crash', 'orphaned', 'unresponsive', 'operator', 'storage_unavailable', 'lock_held'] as const;
export type RestartReason = (typeof RESTART_REASONS)[number];

/** Outcome of recovering one session after a worker start (src/session-view.ts RecoveryResult). */
export const RECOVERY_RESULTS = ['recovered', 'failed', 'skipped'] as const;
export type RecoveryResult = (typeof RECOVERY_RESULTS)[number];

export const HEARTBEAT_RESULTS = ['ok', 'error', 'timeout'] as const;
export type HeartbeatResult = (typeof HEARTBEAT_RESULTS)[number];

export const MESSAGE_DIRECTIONS = ['in', 'out'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
export const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'reaction', 'receipt', 'other'] as const;
export const MESSAGE_RESULTS = ['ok', 'failed'] as const;
export type MessageResult = (typeof MESSAGE_RESULTS)[number];

function oneOf(allowed: readonly string[], value: unknown): string {
  return typeof value === 'string' && allowed.includes(value) ? value : OTHER;
}

export const exitReasonLabel = (kind: unknown): string => oneOf(EXIT_KINDS, kind);
export const restartReasonLabel = (reason: unknown): string => oneOf(RESTART_REASONS, reason);
export const recoveryResultLabel = (result: unknown): string => oneOf(RECOVERY_RESULTS, result);
export const heartbeatResultLabel = (result: unknown): string => oneOf(HEARTBEAT_RESULTS, result);
export const directionLabel = (direction: unknown): string => oneOf(MESSAGE_DIRECTIONS, direction);
export const messageTypeLabel = (type: unknown): string => oneOf(MESSAGE_TYPES, type);
export const messageResultLabel = (result: unknown): string => oneOf(MESSAGE_RESULTS, result);
export const statusLabel = (status: unknown): string => oneOf(SESSION_STATUSES, status);

/** `none` when a recovery result has no reason (success), else a canonical failure reason. */
export function failureReasonLabel(reason: unknown): string {
  if (reason === undefined || reason === null || reason === '') return 'none';
  return oneOf(FAILURE_REASONS, reason);
}

/** Baileys/WebSocket close codes are small integers; anything else is folded into `other`. */
export function closeCodeLabel(code: unknown): string {
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 9999 ? String(code) : OTHER;
}

/** Error codes are upper-snake identifiers by convention (src/errors.ts); the rest is `OTHER`. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,47}$/.test(code) ? code : 'OTHER';
}

/** Storage operation and backend route names come from code, but are checked for shape anyway. */
export function identifierLabel(value: unknown): string {
  return typeof value === 'string' && /^[a-z][a-z0-9_:-]{0,47}$/.test(value) ? value : OTHER;
}

/** HTTP status as a string (`200`, `503`), or the failure class when no response came back. */
export function httpStatusLabel(status: unknown): string {
  if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599) return String(status);
  return oneOf(['timeout', 'network_error'], status);
}
