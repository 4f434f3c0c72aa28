import { WorkerError } from '../errors.js';

/**
 * Stable codes of the storage layer. The host acts on them: a `SNAPSHOT_*` code means one stored
 * generation is unreadable (fall back, alert); `STORAGE_AUTH_FAILED`/`STORAGE_BAD_REQUEST` are
 * configuration problems (retrying will not help); `STORAGE_UNAVAILABLE`/`STORAGE_TIMEOUT` are
 * transient (retry later, keep the local copy).
 */
export const SnapshotErrorCode = {
  /** The blob ends before the length its header declares (or before a header at all). */
  TRUNCATED: 'SNAPSHOT_TRUNCATED',
  /** Bytes changed after writing: body hash, GCM tag (with a known key) or payload hash differ. */
  CHECKSUM_MISMATCH: 'SNAPSHOT_CHECKSUM_MISMATCH',
  /** Encrypted with a key we were not given (or no key configured at all). */
  WRONG_KEY: 'SNAPSHOT_WRONG_KEY',
  /** Written by a newer (or unknown) format version. */
  UNKNOWN_FORMAT: 'SNAPSHOT_UNKNOWN_FORMAT',
  /** A valid snapshot of a different session: never restore it. */
  WRONG_SESSION: 'SNAPSHOT_WRONG_SESSION',
  /** A valid snapshot stored under another generation's key. */
  WRONG_GENERATION: 'SNAPSHOT_WRONG_GENERATION',
  /** Not a snapshot at all, or a header that does not parse. */
  CORRUPT: 'SNAPSHOT_CORRUPT',
  /** The pointer names a generation whose object is gone. */
  MISSING: 'SNAPSHOT_MISSING',
} as const;
export type SnapshotErrorCode = (typeof SnapshotErrorCode)[keyof typeof SnapshotErrorCode];

export const StorageErrorCode = {
  /** Network error or 5xx after retries. */
  UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  /** One attempt took longer than STORAGE_TIMEOUT (after retries). */
  TIMEOUT: 'STORAGE_TIMEOUT',
  /** The server rejected the credentials or the signature. */
  AUTH_FAILED: 'STORAGE_AUTH_FAILED',
  /** Any other 4xx: a configuration or programming error. */
  BAD_REQUEST: 'STORAGE_BAD_REQUEST',
  /** A generation older than the published one: another writer moved ahead. */
  STALE_GENERATION: 'STORAGE_STALE_GENERATION',
  /** The published head belongs to another pairing (lineage): this state may never replace it. */
  FOREIGN_LINEAGE: 'STORAGE_FOREIGN_LINEAGE',
  /** Snapshots exist but none of them could be read: never treat this as "no auth". */
  NO_READABLE_SNAPSHOT: 'STORAGE_NO_READABLE_SNAPSHOT',
  /** Local file system error (permissions, disk full). */
  IO: 'STORAGE_IO',
  /** Programming error: a key or argument that must never be built. */
  INVALID_ARGUMENT: 'STORAGE_INVALID_ARGUMENT',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

export class SnapshotError extends WorkerError {
  constructor(code: SnapshotErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, options);
    this.name = 'SnapshotError';
  }
}

export class StorageError extends WorkerError {
  /** True when a later attempt may succeed (network, 5xx, timeout). */
  readonly retryable: boolean;
  constructor(code: StorageErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; retryable?: boolean } = {}) {
    super(code, message, options);
    this.name = 'StorageError';
    this.retryable = options.retryable ?? false;
  }
}

export function isSnapshotErrorCode(code: string): code is SnapshotErrorCode {
  return (Object.values(SnapshotErrorCode) as string[]).includes(code);
}
