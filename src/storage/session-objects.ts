import type { Logger } from '../logger.js';
import type { ObjectBackend } from './backend/types.js';
import { inspectSnapshot, type EncryptionKey } from './codec/index.js';
import type { CodecRunner } from './codec-runner.js';
import { trustedHead } from './descent.js';
import { SnapshotError, SnapshotErrorCode } from './errors.js';
import type { ByteCounter } from './instrument.js';
import { generationOfKey, pointerKey, snapshotKey, snapshotsPrefix } from './layout.js';
import { lineageOf } from './lineage.js';
import { decodePointer, type Pointer } from './pointer.js';
import { resilient, type RetryPolicy } from './resilience.js';
import type { AuthFiles, Head, SnapshotMeta } from './types.js';

export interface SessionObjectsOptions {
  keys: readonly EncryptionKey[];
  timeoutMs: number;
  retry: RetryPolicy;
  codec: CodecRunner;
  logger?: Logger | undefined;
}

/**
 * Reading one session's stored objects: the pointer, the generations, their lineages, and the head
 * a reader can trust. Every backend call goes through `call`: a deadline that aborts the request,
 * and retries of transient errors.
 */
export class SessionObjects {
  constructor(
    private readonly backend: ObjectBackend,
    private readonly options: SessionObjectsOptions,
  ) {}

  /**
   * The head readers trust (descent.ts `trustedHead`) and the stored generations, newest first.
   * Without a (readable) pointer, the newest complete object is what readNewest would restore.
   */
  async resolveHead(sessionId: string, bytes: ByteCounter): Promise<{ head: Head | null; stored: number[] }> {
    const pointer = await this.readPointer(sessionId, bytes);
    const stored = await this.storedGenerations(sessionId);
    if (!pointer) {
      const newest = stored[0];
      return { head: newest === undefined ? null : { generation: newest, lineage: await this.lineageOfGeneration(sessionId, newest, bytes) }, stored };
    }
    const named: Head = { generation: pointer.generation, lineage: pointer.lineage ?? (await this.lineageOfGeneration(sessionId, pointer.generation, bytes)) };
    const above: Head[] = [];
    for (const generation of stored.filter((g) => g > pointer.generation)) {
      above.push({ generation, lineage: await this.lineageOfGeneration(sessionId, generation, bytes) });
    }
    return { head: trustedHead(named, above), stored };
  }

  /**
   * Lineage of one stored generation: from its plain header, or (objects written before lineages)
   * from its decoded creds. Null when the object is missing or unreadable. Not cached: a generation
   * number is reused after a re-pair, possibly by another process.
   */
  async lineageOfGeneration(sessionId: string, generation: number, bytes: ByteCounter): Promise<string | null> {
    const key = snapshotKey(sessionId, generation);
    const blob = await this.call(`get ${key}`, (signal) => this.backend.get(key, signal));
    if (!blob) return null;
    bytes.add(blob.length);
    try {
      const { header } = inspectSnapshot(blob, { sessionId, generation });
      return header.lineage ?? lineageOf((await this.options.codec.decode(blob, { sessionId, generation }, this.options.keys)).files);
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      return null;
    }
  }

  async readGeneration(sessionId: string, generation: number, bytes: ByteCounter): Promise<{ meta: SnapshotMeta; files: AuthFiles }> {
    const key = snapshotKey(sessionId, generation);
    const blob = await this.call(`get ${key}`, (signal) => this.backend.get(key, signal));
    if (!blob) throw new SnapshotError(SnapshotErrorCode.MISSING, `snapshot object ${key} is missing`);
    bytes.add(blob.length);
    return this.options.codec.decode(blob, { sessionId, generation }, this.options.keys);
  }

  /** The pointer, or null when absent or unreadable (logged; readers then scan the listing). */
  async readPointer(sessionId: string, bytes: ByteCounter): Promise<Pointer | null> {
    try {
      return await this.readPointerStrict(sessionId, bytes);
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      this.options.logger?.warn({ sessionId, code: err.code }, 'snapshot pointer unreadable: using the stored generations instead');
      return null;
    }
  }

  async readPointerStrict(sessionId: string, bytes: ByteCounter): Promise<Pointer | null> {
    const key = pointerKey(sessionId);
    const data = await this.call(`get ${key}`, (signal) => this.backend.get(key, signal));
    if (!data) return null;
    bytes.add(data.length);
    return decodePointer(data, sessionId);
  }

  async storedGenerations(sessionId: string): Promise<number[]> {
    const prefix = snapshotsPrefix(sessionId);
    const keys = await this.call(`list ${prefix}`, (signal) => this.backend.list(prefix, signal));
    return keys
      .map((key) => generationOfKey(sessionId, key))
      .filter((g): g is number => g !== null)
      .sort((a, b) => b - a);
  }

  call<T>(action: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return resilient(action, fn, {
      timeoutMs: this.options.timeoutMs,
      retry: this.options.retry,
      onRetry: (error, attempt) => this.options.logger?.warn({ action, attempt, code: error.code }, 'storage call failed, retrying'),
    });
  }
}
