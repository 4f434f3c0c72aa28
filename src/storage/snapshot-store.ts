import type { Logger } from '../logger.js';
import { assertSessionId, sessionFileName, sessionIdOfFileName } from '../session-id.js';
import type { ObjectBackend } from './backend/types.js';
import type { EncryptionKey } from './codec/index.js';
import { inlineCodec, type CodecRunner } from './codec-runner.js';
import { SnapshotError, SnapshotErrorCode, StorageError, StorageErrorCode } from './errors.js';
import { instrument, type ByteCounter } from './instrument.js';
import { generationOfKey, pointerKey, POINTER_NAME, SESSIONS_PREFIX, sessionPrefix, snapshotKey, snapshotsPrefix } from './layout.js';
import { LEGACY_CREDS, legacyFilesIn, loadLegacyFiles } from './legacy.js';
import { decodePointer, encodePointer, type Pointer } from './pointer.js';
import { DEFAULT_RETRY, resilient, type RetryPolicy } from './resilience.js';
import { generationsToPrune, readOrder } from './retention.js';
import type { AuthFiles, ReadResult, SnapshotMeta, SnapshotStore, StorageOperation } from './types.js';

export interface SnapshotStoreOptions {
  workerId: string;
  /** First key encrypts new snapshots; all keys decrypt. Empty = stored in plain. */
  keys: readonly EncryptionKey[];
  /** Deadline of one attempt of one backend call. */
  timeoutMs: number;
  retry?: RetryPolicy;
  logger?: Logger | undefined;
  onOperation?: ((op: StorageOperation) => void) | undefined;
  codec?: CodecRunner;
}

/** One stored generation checked by `verifySession`. */
export interface GenerationCheck {
  generation: number;
  ok: boolean;
  /** Published (named by the pointer). */
  current: boolean;
  code?: string;
  message?: string;
  meta?: SnapshotMeta;
}

export interface SessionVerification {
  sessionId: string;
  pointer: { ok: true; generation: number } | { ok: false; code: string } | null;
  generations: GenerationCheck[];
  legacyFiles: number;
}

export type LegacyImportOutcome =
  | { status: 'imported'; meta: SnapshotMeta }
  | { status: 'has_snapshots'; generation: number | null }
  | { status: 'no_legacy' };

/**
 * The storage layer of design.md §7 on top of any `ObjectBackend`:
 *
 * - publication: snapshot object first, pointer second, then prune to the last 3 generations; a
 *   crash between the writes leaves the previous generation current;
 * - reading: the pointer's generation, falling back to older ones past corrupt objects (and saying
 *   so), then re-publishing the good content as a new generation so generations stay monotonic;
 * - legacy import when a session has no snapshot but the original worker's files;
 * - a deadline and retries on every backend call, metrics for every operation.
 *
 * Writes of one session are serialized inside this process; across processes the per-session host
 * lock (one host per session) and the stale-generation check keep writers apart.
 */
export class ObjectSnapshotStore implements SnapshotStore {
  readonly driver: 'local' | 'minio';
  private readonly codec: CodecRunner;
  private readonly retry: RetryPolicy;
  private readonly writes = new Map<string, Promise<unknown>>();

  constructor(
    private readonly backend: ObjectBackend,
    private readonly options: SnapshotStoreOptions,
  ) {
    this.driver = backend.driver;
    this.codec = options.codec ?? inlineCodec;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  get location(): string {
    return this.backend.location;
  }

  async putSnapshot(sessionId: string, generation: number, files: AuthFiles): Promise<SnapshotMeta> {
    assertSessionId(sessionId);
    if (!Number.isSafeInteger(generation) || generation < 1) {
      throw new StorageError(StorageErrorCode.INVALID_ARGUMENT, `generation must be a positive integer, got ${generation}`);
    }
    return this.serialized(sessionId, () =>
      instrument('put_snapshot', this.options.onOperation, (bytes) => this.publish(sessionId, generation, files, bytes, { checkStale: true })),
    );
  }

  async readNewest(sessionId: string): Promise<ReadResult | null> {
    assertSessionId(sessionId);
    return this.serialized(sessionId, () => instrument('read_newest', this.options.onOperation, (bytes) => this.readNewestInner(sessionId, bytes)));
  }

  async headGeneration(sessionId: string): Promise<number | null> {
    assertSessionId(sessionId);
    return instrument('head_generation', this.options.onOperation, async (bytes) => {
      const pointer = await this.readPointer(sessionId, bytes);
      if (pointer) return pointer.generation;
      // No (readable) pointer: the newest complete object is what readNewest would restore.
      const stored = await this.storedGenerations(sessionId);
      return stored[0] ?? null;
    });
  }

  async listGenerations(sessionId: string): Promise<number[]> {
    assertSessionId(sessionId);
    return instrument('list_generations', this.options.onOperation, () => this.storedGenerations(sessionId));
  }

  async deleteSession(sessionId: string): Promise<void> {
    assertSessionId(sessionId);
    return this.serialized(sessionId, () =>
      instrument('delete_session', this.options.onOperation, async () => {
        const keys = await this.call(`list ${sessionPrefix(sessionId)}`, () => this.backend.list(sessionPrefix(sessionId)));
        const pointer = pointerKey(sessionId);
        // Pointer last: a delete cut short leaves a session that still reads as "has auth" or as
        // "nothing", never a pointer to objects that are already gone and no way to tell.
        const rest = keys.filter((k) => k !== pointer);
        await this.call(`delete ${rest.length} objects of ${sessionId}`, () => this.backend.delete(rest));
        if (keys.includes(pointer)) await this.call(`delete ${pointer}`, () => this.backend.delete([pointer]));
        this.options.logger?.info({ sessionId, objects: keys.length }, 'deleted stored auth of session');
      }),
    );
  }

  async listSessions(): Promise<string[]> {
    return instrument('list_sessions', this.options.onOperation, async () => {
      const names = await this.call(`list ${SESSIONS_PREFIX}`, () => this.backend.listFolders(SESSIONS_PREFIX));
      const ids: string[] = [];
      for (const name of names) {
        const { id, hashed } = sessionIdOfFileName(name);
        if (id !== null) ids.push(id);
        else if (hashed) {
          const named = await this.idFromPointer(name);
          if (named !== null) ids.push(named);
        }
      }
      return ids;
    });
  }

  /** A hashed folder name does not spell its id (src/session-id.ts): the pointer holds it. */
  private async idFromPointer(name: string): Promise<string | null> {
    const key = `${SESSIONS_PREFIX}${name}/${POINTER_NAME}`;
    const data = await this.call(`get ${key}`, () => this.backend.get(key));
    if (!data) return null;
    try {
      const id = (JSON.parse(data.toString('utf8')) as { sessionId?: unknown }).sessionId;
      return typeof id === 'string' && sessionFileName(id) === name ? id : null;
    } catch {
      return null;
    }
  }

  async ping(): Promise<void> {
    // No retries: readiness wants the current answer, quickly.
    return instrument('ping', this.options.onOperation, () =>
      resilient('ping', () => this.backend.ping(), { timeoutMs: this.options.timeoutMs, retry: { ...this.retry, retries: 0 } }),
    );
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.writes.values()]);
    await this.backend.close();
  }

  /** Imports the legacy layout as generation 1 unless the session already has snapshots. */
  async importLegacy(sessionId: string): Promise<LegacyImportOutcome> {
    assertSessionId(sessionId);
    return this.serialized(sessionId, () =>
      instrument('import_legacy', this.options.onOperation, async (bytes) => {
        const pointer = await this.readPointer(sessionId, bytes);
        const stored = await this.storedGenerations(sessionId);
        if (pointer || stored.length > 0) return { status: 'has_snapshots', generation: pointer?.generation ?? stored[0] ?? null };
        const imported = await this.importLegacyInner(sessionId, bytes);
        return imported ? { status: 'imported', meta: imported.meta } : { status: 'no_legacy' };
      }),
    );
  }

  /** Downloads and fully decodes every stored generation; changes nothing. */
  async verifySession(sessionId: string): Promise<SessionVerification> {
    assertSessionId(sessionId);
    return instrument('verify_session', this.options.onOperation, async (bytes) => {
      let pointer: SessionVerification['pointer'] = null;
      try {
        const p = await this.readPointerStrict(sessionId, bytes);
        if (p) pointer = { ok: true, generation: p.generation };
      } catch (err) {
        if (!(err instanceof SnapshotError)) throw err;
        pointer = { ok: false, code: err.code };
      }
      const keys = await this.call(`list ${sessionPrefix(sessionId)}`, () => this.backend.list(sessionPrefix(sessionId)));
      const stored = keys.map((k) => generationOfKey(sessionId, k)).filter((g): g is number => g !== null).sort((a, b) => b - a);
      const current = pointer?.ok ? pointer.generation : null;
      const gens = current !== null && !stored.includes(current) ? [current, ...stored] : stored;
      const generations = await Promise.all(
        gens.map(async (generation): Promise<GenerationCheck> => {
          const check = { generation, current: generation === current };
          try {
            const { meta } = await this.readGeneration(sessionId, generation, bytes);
            return { ...check, ok: true, meta };
          } catch (err) {
            if (!(err instanceof SnapshotError)) throw err;
            return { ...check, ok: false, code: err.code, message: err.message };
          }
        }),
      );
      return { sessionId, pointer, generations, legacyFiles: legacyFilesIn(sessionId, keys).length };
    });
  }

  // ------------------------------------------------------------------------------------ internals

  private async publish(sessionId: string, generation: number, files: AuthFiles, bytes: ByteCounter, opts: { checkStale: boolean }): Promise<SnapshotMeta> {
    if (opts.checkStale) {
      const head = await this.readPointer(sessionId, bytes);
      if (head && generation < head.generation) {
        throw new StorageError(
          StorageErrorCode.STALE_GENERATION,
          `refusing to publish generation ${generation} of session ${sessionId}: generation ${head.generation} (worker ${head.workerId}) is already published`,
          { details: { generation, published: head.generation } },
        );
      }
    }
    const key = this.options.keys[0];
    const { blob, meta } = await this.codec.encode({ sessionId, generation, workerId: this.options.workerId, files }, key);
    const objectKey = snapshotKey(sessionId, generation);
    await this.call(`put ${objectKey}`, () => this.backend.put(objectKey, blob));
    bytes.add(blob.length);
    // Only now, with the object complete, does the pointer name it.
    const pointer = encodePointer(meta, objectKey);
    await this.call(`put ${pointerKey(sessionId)}`, () => this.backend.put(pointerKey(sessionId), pointer));
    bytes.add(pointer.length);
    await this.prune(sessionId, generation);
    return meta;
  }

  /** Best effort: a failed prune leaves an extra old generation, which is harmless. */
  private async prune(sessionId: string, published: number): Promise<void> {
    try {
      const stored = await this.storedGenerations(sessionId);
      const doomed = generationsToPrune(stored, published);
      if (doomed.length === 0) return;
      await this.call(`prune ${sessionId}`, () => this.backend.delete(doomed.map((g) => snapshotKey(sessionId, g))));
    } catch (err) {
      this.options.logger?.warn({ sessionId, err }, 'could not prune old snapshot generations');
    }
  }

  private async readNewestInner(sessionId: string, bytes: ByteCounter): Promise<ReadResult | null> {
    const pointer = await this.readPointer(sessionId, bytes);
    const stored = await this.storedGenerations(sessionId);
    const order = readOrder(pointer?.generation ?? null, stored);
    if (order.length === 0) {
      const imported = await this.importLegacyInner(sessionId, bytes);
      return imported ? { ...imported, skipped: [], source: 'legacy' } : null;
    }
    const skipped: ReadResult['skipped'] = [];
    for (const generation of order) {
      try {
        const decoded = await this.readGeneration(sessionId, generation, bytes);
        if (skipped.length === 0) return { ...decoded, skipped, source: 'snapshot' };
        this.options.logger?.warn({ sessionId, restored: generation, skipped }, 'newest snapshot generation unreadable: fell back to an older one');
        const repaired = await this.republish(sessionId, decoded.files, Math.max(...order, ...stored) + 1, bytes);
        return { meta: repaired ?? decoded.meta, files: decoded.files, skipped, source: 'snapshot' };
      } catch (err) {
        // Only bad data falls back. A network error must not: it would silently restore older auth.
        if (!(err instanceof SnapshotError)) throw err;
        skipped.push({ generation, code: err.code });
        this.options.logger?.warn({ sessionId, generation, code: err.code, reason: err.message }, 'snapshot generation unreadable');
      }
    }
    throw new StorageError(
      StorageErrorCode.NO_READABLE_SNAPSHOT,
      `session ${sessionId} has ${order.length} stored generations and none is readable (${skipped.map((s) => `${s.generation}: ${s.code}`).join(', ')})`,
      { details: { skipped } },
    );
  }

  /**
   * After a fallback the good content becomes a new, higher generation: readers stop tripping over
   * the bad one, and the host's next upload (restored generation + 1) is not refused as stale.
   */
  private async republish(sessionId: string, files: AuthFiles, generation: number, bytes: ByteCounter): Promise<SnapshotMeta | null> {
    try {
      return await this.publish(sessionId, generation, files, bytes, { checkStale: false });
    } catch (err) {
      this.options.logger?.warn({ sessionId, generation, err }, 'could not re-publish the restored generation');
      return null;
    }
  }

  private async importLegacyInner(sessionId: string, bytes: ByteCounter): Promise<{ meta: SnapshotMeta; files: AuthFiles } | null> {
    const keys = await this.call(`list ${sessionPrefix(sessionId)}`, () => this.backend.list(sessionPrefix(sessionId)));
    const names = legacyFilesIn(sessionId, keys);
    if (names.length === 0) return null;
    const files = await loadLegacyFiles(sessionId, names, async (key) => {
      const data = await this.call(`get ${key}`, () => this.backend.get(key));
      if (data) bytes.add(data.length);
      return data;
    });
    if (!files.has(LEGACY_CREDS)) return null;
    const meta = await this.publish(sessionId, 1, files, bytes, { checkStale: true });
    this.options.logger?.info({ sessionId, files: files.size, generation: meta.generation }, 'imported legacy auth files as generation 1 (legacy objects left in place)');
    return { meta, files };
  }

  private async readGeneration(sessionId: string, generation: number, bytes: ByteCounter): Promise<{ meta: SnapshotMeta; files: AuthFiles }> {
    const key = snapshotKey(sessionId, generation);
    const blob = await this.call(`get ${key}`, () => this.backend.get(key));
    if (!blob) throw new SnapshotError(SnapshotErrorCode.MISSING, `snapshot object ${key} is missing`);
    bytes.add(blob.length);
    return this.codec.decode(blob, { sessionId, generation }, this.options.keys);
  }

  /** The pointer, or null when absent or unreadable (logged; readers then scan the listing). */
  private async readPointer(sessionId: string, bytes: ByteCounter): Promise<Pointer | null> {
    try {
      return await this.readPointerStrict(sessionId, bytes);
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      this.options.logger?.warn({ sessionId, code: err.code }, 'snapshot pointer unreadable: using the stored generations instead');
      return null;
    }
  }

  private async readPointerStrict(sessionId: string, bytes: ByteCounter): Promise<Pointer | null> {
    const key = pointerKey(sessionId);
    const data = await this.call(`get ${key}`, () => this.backend.get(key));
    if (!data) return null;
    bytes.add(data.length);
    return decodePointer(data, sessionId);
  }

  private async storedGenerations(sessionId: string): Promise<number[]> {
    const prefix = snapshotsPrefix(sessionId);
    const keys = await this.call(`list ${prefix}`, () => this.backend.list(prefix));
    return keys
      .map((key) => generationOfKey(sessionId, key))
      .filter((g): g is number => g !== null)
      .sort((a, b) => b - a);
  }

  private call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return resilient(action, fn, {
      timeoutMs: this.options.timeoutMs,
      retry: this.retry,
      onRetry: (error, attempt) => this.options.logger?.warn({ action, attempt, code: error.code }, 'storage call failed, retrying'),
    });
  }

  /** Runs `fn` after every earlier write of the same session has settled. */
  private serialized<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.writes.get(sessionId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.writes.set(sessionId, settled);
    void settled.then(() => {
      if (this.writes.get(sessionId) === settled) this.writes.delete(sessionId);
    });
    return run;
  }
}
