import { createHash } from 'node:crypto';
import type { WorkerErrorCode } from '../../src/error-codes.js';
import type { IpcError, OutgoingMessage, SendResult } from '../../src/ipc/protocol.js';

/**
 * Pure rules of idempotent sends (`Idempotency-Key` / `clientMessageId`), no I/O:
 *   - a key names one send of one session for KEY_TTL_MS; the first request fixes its message id
 *     (recorded before the host sees the send), so every retry names the same WhatsApp message;
 *   - a retry replays a final outcome (`sent`, or `failed` with the same error) and never sends;
 *   - a retry of a send still `pending` asks the host again *with the same message id*: a host
 *     that knows the id answers its state and never sends twice; one that never got it sends it;
 *   - the same key with another body is refused (422), never silently treated as a retry;
 *   - a refusal before anything went out (validation, session not connected) keeps no record, so
 *     the retry may really send; an outcome that is not known (the host did not answer, exited)
 *     is `pending`, never an error: the send may still go out.
 */
export const KEY_TTL_MS = 24 * 3_600_000;
/** Keys kept per session (the newest); far above what one session sends in 24 h. */
export const MAX_KEYS_PER_SESSION = 20_000;

export const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';

export interface IdempotencyRecord {
  fingerprint: string;
  messageId: string;
  status: 'pending' | 'sent' | 'failed';
  /** ms since the epoch of the first request. */
  createdAt: number;
  result?: SendResult;
  error?: IpcError;
}

export type Decision =
  | { kind: 'new' }
  | { kind: 'replay'; record: IdempotencyRecord }
  | { kind: 'resume'; record: IdempotencyRecord }
  | { kind: 'mismatch'; record: IdempotencyRecord };

export function decide(record: IdempotencyRecord | undefined, fingerprint: string, now: number): Decision {
  if (!record || now - record.createdAt > KEY_TTL_MS) return { kind: 'new' };
  if (record.fingerprint !== fingerprint) return { kind: 'mismatch', record };
  return record.status === 'pending' ? { kind: 'resume', record } : { kind: 'replay', record };
}

/** What a failed attempt means for the record. */
export type ErrorVerdict = 'not-sent' | 'unknown' | 'failed';

/** Codes that prove nothing reached WhatsApp; everything not listed here is `unknown`. */
const NOT_SENT: ReadonlySet<string> = new Set<WorkerErrorCode>([
  'SESSION_NOT_FOUND',
  'SESSION_NOT_CONNECTED',
  'NOT_CONNECTED',
  'HOST_NOT_RUNNING',
  'INVALID_RECIPIENT',
  'RECIPIENT_NOT_ON_WHATSAPP',
  'INVALID_MESSAGE',
  'INVALID_SESSION_ID',
  'STOPPING',
  'NOT_READY',
  'SHUTTING_DOWN',
]);
/** Baileys gave up (it threw), or the host that was sending it died before it went out. */
const FAILED: ReadonlySet<string> = new Set<WorkerErrorCode>(['SEND_FAILED', 'SEND_INTERRUPTED']);

export function judgeError(code: string): ErrorVerdict {
  if (NOT_SENT.has(code)) return 'not-sent';
  if (FAILED.has(code)) return 'failed';
  return 'unknown';
}

/** Same session, same key: the body must be the same send (recipient as normalized, message). */
export function fingerprintOf(to: string, message: OutgoingMessage): string {
  return createHash('sha256').update(stableJson({ to, message })).digest('hex');
}

/** Pure: keys to keep, oldest first — within the TTL, at most MAX_KEYS_PER_SESSION. */
export function retainKeys(entries: Array<[string, IdempotencyRecord]>, now: number): Array<[string, IdempotencyRecord]> {
  const fresh = entries.filter(([, r]) => now - r.createdAt <= KEY_TTL_MS);
  return fresh.slice(Math.max(0, fresh.length - MAX_KEYS_PER_SESSION));
}

/** The answer for a send whose outcome is not known yet. */
export function pendingResult(record: Pick<IdempotencyRecord, 'messageId' | 'createdAt'>, to: string): SendResult {
  return { messageId: record.messageId, to, status: 'pending', timestamp: new Date(record.createdAt).toISOString() };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
