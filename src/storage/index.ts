import { join } from 'node:path';
import type { StorageSettings } from '../ipc/protocol.js';
import type { Logger } from '../logger.js';
import { LocalBackend } from './backend/local.js';
import { LazyBackend } from './backend/lazy.js';
import { minioLocation } from './backend/minio-location.js';
import type { ObjectBackend } from './backend/types.js';
import { toEncryptionKeys } from './codec/index.js';
import type { CodecRunner } from './codec-runner.js';
import type { RetryPolicy } from './resilience.js';
import { ObjectSnapshotStore } from './snapshot-store.js';
import type { StorageOperation } from './types.js';

export interface CreateSnapshotStoreOptions {
  workerId: string;
  /** 32-byte AES keys: the first encrypts, all decrypt. Empty = snapshots stored in plain. */
  encryptionKeys: Buffer[];
  /** Deadline of one attempt of one storage call (STORAGE_TIMEOUT). */
  timeoutMs: number;
  logger?: Logger;
  /** Metrics hook: one call per finished store operation. */
  onOperation?: (op: StorageOperation) => void;
  /** Defaults to 3 retries with 200 ms..3 s backoff. */
  retry?: RetryPolicy;
  /** Where encode/decode run; defaults to inline (the bulk CLI passes a piscina pool). */
  codec?: CodecRunner;
}

/** Folder of the local driver: beside, never inside, the hosts' live auth folders (`sessions/`). */
export function localStorageRoot(dataDir: string): string {
  return join(dataDir, 'storage');
}

export function createBackend(settings: StorageSettings, timeoutMs: number): ObjectBackend {
  if (settings.driver === 'local') return new LocalBackend(localStorageRoot(settings.dataDir));
  const { driver: _, ...s3 } = settings;
  // The S3 client loads on first use (a lazy chunk of the host bundle): see LazyBackend.
  return new LazyBackend('minio', minioLocation(s3), async () => {
    const { MinioBackend } = await import('./backend/minio.js');
    return new MinioBackend({ ...s3, socketTimeoutMs: timeoutMs });
  });
}

/** Builds the store a session host (from its IPC `init`) or the supervisor uses. */
export function createSnapshotStore(settings: StorageSettings, options: CreateSnapshotStoreOptions): ObjectSnapshotStore {
  return new ObjectSnapshotStore(createBackend(settings, options.timeoutMs), {
    workerId: options.workerId,
    keys: toEncryptionKeys(options.encryptionKeys),
    timeoutMs: options.timeoutMs,
    logger: options.logger,
    onOperation: options.onOperation,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.codec ? { codec: options.codec } : {}),
  });
}

export { ObjectSnapshotStore, type SessionVerification, type GenerationCheck, type LegacyImportOutcome } from './snapshot-store.js';
export { SnapshotError, StorageError, SnapshotErrorCode, StorageErrorCode, isSnapshotErrorCode } from './errors.js';
export { keysFromBase64, toEncryptionKeys, keyIdOf, encodeSnapshot, decodeSnapshot, inspectSnapshot } from './codec/index.js';
export type { AuthFiles, ReadResult, SnapshotMeta, SnapshotStore, StorageOperation, StorageOpName } from './types.js';
export type { ObjectBackend } from './backend/types.js';
export type { RetryPolicy } from './resilience.js';
