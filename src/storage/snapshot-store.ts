import type { Logger } from '../logger.js';
import { assertSessionId, sessionFileName, sessionIdOfFileName } from '../session-id.js';
import type { ObjectBackend } from './backend/types.js';
import type { EncryptionKey } from './codec/index.js';
import { inlineCodec, type CodecRunner } from './codec-runner.js';
import { SnapshotError, StorageError, StorageErrorCode } from './errors.js';
import { instrument, type ByteCounter } from './instrument.js';
import { generationOfKey, legacyKey, pointerKey, POINTER_NAME, SESSIONS_PREFIX, sessionPrefix, snapshotKey } from './layout.js';
import { LEGACY_CREDS, legacyFilesIn, loadLegacyFiles } from './legacy.js';
import { descendsFrom } from './descent.js';
import { lineageOf } from './lineage.js';
import { encodePointer } from './pointer.js';
import { SessionObjects } from './session-objects.js';
import { DEFAULT_RETRY, resilient, type RetryPolicy } from './resilience.js';
import { generationsToPrune, readOrder } from './retention.js';
import type { AuthFiles, Head, ReadResult, SnapshotMeta, SnapshotStore, StorageOperation } from './types.js';

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
 * - publication: only of a state that descends from the head (same lineage, not behind it);
 *   snapshot object first, pointer second (re-read first: never replaced by an older one), then
 *   prune to the last 3 generations; a crash between the writes leaves a complete object that
 *   readers of the same lineage may use, never a pointer to a missing one;
 * - every backend call is aborted when its deadline passes, so a timed-out write cannot land late;
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
  private readonly objects: SessionObjects;

  constructor(
    private readonly backend: ObjectBackend,
    private readonly options: SnapshotStoreOptions,
  ) {
    this.driver = backend.driver;
    this.codec = options.codec ?? inlineCodec;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.objects = new SessionObjects(backend, { keys: options.keys, timeoutMs: options.timeoutMs, retry: this.retry, codec: this.codec, logger: options.logger });
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
    return (await this.head(sessionId))?.generation ?? null;
  }

  async head(sessionId: string): Promise<Head | null> {
    assertSessionId(sessionId);
    return instrument('head_generation', this.options.onOperation, async (bytes) => (await this.objects.resolveHead(sessionId, bytes)).head);
  }

  async listGenerations(sessionId: string): Promise<number[]> {
    assertSessionId(sessionId);
    return instrument('list_generations', this.options.onOperation, () => this.objects.storedGenerations(sessionId));
  }

  async deleteSession(sessionId: string): Promise<void> {
    assertSessionId(sessionId);
    return this.serialized(sessionId, () =>
      instrument('delete_session', this.options.onOperation, async () => {
        const keys = await this.objects.call(`list ${sessionPrefix(sessionId)}`, (signal) => this.backend.list(sessionPrefix(sessionId), signal));
        const pointer = pointerKey(sessionId);
        // Pointer last: a delete cut short leaves a session that still reads as "has auth" or as
        // "nothing", never a pointer to objects that are already gone and no way to tell.
        const rest = keys.filter((k) => k !== pointer);
        await this.objects.call(`delete ${rest.length} objects of ${sessionId}`, (signal) => this.backend.delete(rest, signal));
        if (keys.includes(pointer)) await this.objects.call(`delete ${pointer}`, (signal) => this.backend.delete([pointer], signal));
        this.options.logger?.info({ sessionId, objects: keys.length }, 'deleted stored auth of session');
      }),
    );
  }

  async deleteLineage(sessionId: string, lineage: string): Promise<{ deleted: number; kept: number }> {
    assertSessionId(sessionId);
    return this.serialized(sessionId, () =>
      instrument('delete_lineage', this.options.onOperation, async (bytes) => {
        const keys = await this.objects.call(`list ${sessionPrefix(sessionId)}`, (signal) => this.backend.list(sessionPrefix(sessionId), signal));
        const doomed: string[] = [];
        let snapshotsLeft = 0;
        for (const key of keys) {
          const generation = generationOfKey(sessionId, key);
          if (generation === null) continue;
          // Unknown lineage (unreadable object) is kept: it might be the other pairing's.
          if ((await this.objects.lineageOfGeneration(sessionId, generation, bytes)) === lineage) doomed.push(key);
          else snapshotsLeft++;
        }
        const legacy = legacyFilesIn(sessionId, keys);
        if (legacy.length > 0) {
          const creds = await this.objects.call(`get ${legacyKey(sessionId, LEGACY_CREDS)}`, (signal) => this.backend.get(legacyKey(sessionId, LEGACY_CREDS), signal));
          if (creds && lineageOf(new Map([[LEGACY_CREDS, creds]])) === lineage) doomed.push(...legacy.map((name) => legacyKey(sessionId, name)));
        }
        const pointer = await this.objects.readPointer(sessionId, bytes);
        const pointerLineage = pointer ? pointer.lineage ?? (await this.objects.lineageOfGeneration(sessionId, pointer.generation, bytes)) : null;
        // A pointer of unknown lineage goes only when nothing it could name is left.
        const dropPointer = pointer !== null && (pointerLineage === lineage || (pointerLineage === null && snapshotsLeft === 0));
        await this.objects.call(`delete ${doomed.length} objects of ${sessionId}`, (signal) => this.backend.delete(doomed, signal));
        if (dropPointer) await this.objects.call(`delete ${pointerKey(sessionId)}`, (signal) => this.backend.delete([pointerKey(sessionId)], signal));
        const deleted = doomed.length + (dropPointer ? 1 : 0);
        this.options.logger?.info({ sessionId, lineage, deleted, kept: keys.length - deleted }, 'deleted the stored auth of one pairing');
        return { deleted, kept: keys.length - deleted };
      }),
    );
  }

  async listSessions(): Promise<string[]> {
    return instrument('list_sessions', this.options.onOperation, async () => {
      const names = await this.objects.call(`list ${SESSIONS_PREFIX}`, (signal) => this.backend.listFolders(SESSIONS_PREFIX, signal));
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
    const data = await this.objects.call(`get ${key}`, (signal) => this.backend.get(key, signal));
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
      resilient('ping', (signal) => this.backend.ping(signal), { timeoutMs: this.options.timeoutMs, retry: { ...this.retry, retries: 0 } }),
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
        const pointer = await this.objects.readPointer(sessionId, bytes);
        const stored = await this.objects.storedGenerations(sessionId);
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
        const p = await this.objects.readPointerStrict(sessionId, bytes);
        if (p) pointer = { ok: true, generation: p.generation };
      } catch (err) {
        if (!(err instanceof SnapshotError)) throw err;
        pointer = { ok: false, code: err.code };
      }
      const keys = await this.objects.call(`list ${sessionPrefix(sessionId)}`, (signal) => this.backend.list(sessionPrefix(sessionId), signal));
      const stored = keys.map((k) => generationOfKey(sessionId, k)).filter((g): g is number => g !== null).sort((a, b) => b - a);
      const current = pointer?.ok ? pointer.generation : null;
      const gens = current !== null && !stored.includes(current) ? [current, ...stored] : stored;
      const generations = await Promise.all(
        gens.map(async (generation): Promise<GenerationCheck> => {
          const check = { generation, current: generation === current };
          try {
            const { meta } = await this.objects.readGeneration(sessionId, generation, bytes);
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
    const lineage = lineageOf(files);
    if (opts.checkStale) this.assertDescends(sessionId, (await this.objects.resolveHead(sessionId, bytes)).head, generation, lineage);
    const key = this.options.keys[0];
    const { blob, meta } = await this.codec.encode({ sessionId, generation, workerId: this.options.workerId, files }, key);
    const objectKey = snapshotKey(sessionId, generation);
    await this.objects.call(`put ${objectKey}`, (signal) => this.backend.put(objectKey, blob, signal));
    bytes.add(blob.length);
    // Never replace a pointer with an older one: read it back right before (another writer, or a
    // late delivery of an earlier PUT, may have moved it since the check above).
    const current = await this.objects.readPointer(sessionId, bytes);
    if (current) this.assertDescends(sessionId, { generation: current.generation, lineage: current.lineage ?? null }, generation, lineage);
    // Only now, with the object complete, does the pointer name it.
    const pointer = encodePointer(meta, objectKey);
    await this.objects.call(`put ${pointerKey(sessionId)}`, (signal) => this.backend.put(pointerKey(sessionId), pointer, signal));
    bytes.add(pointer.length);
    await this.prune(sessionId, generation);
    return meta;
  }

  private assertDescends(sessionId: string, head: Head | null, generation: number, lineage: string | null): void {
    const verdict = descendsFrom(head, generation, lineage);
    if (verdict.ok) return;
    throw new StorageError(verdict.code, `refusing to publish generation ${generation} of session ${sessionId}: ${verdict.reason}`, {
      details: { generation, lineage, published: head?.generation, publishedLineage: head?.lineage },
    });
  }

  /** Best effort: a failed prune leaves an extra old generation, which is harmless. */
  private async prune(sessionId: string, published: number): Promise<void> {
    try {
      const stored = await this.objects.storedGenerations(sessionId);
      const doomed = generationsToPrune(stored, published);
      if (doomed.length === 0) return;
      await this.objects.call(`prune ${sessionId}`, (signal) => this.backend.delete(doomed.map((g) => snapshotKey(sessionId, g)), signal));
    } catch (err) {
      this.options.logger?.warn({ sessionId, err }, 'could not prune old snapshot generations');
    }
  }

  private async readNewestInner(sessionId: string, bytes: ByteCounter): Promise<ReadResult | null> {
    const { head, stored } = await this.objects.resolveHead(sessionId, bytes);
    const order = readOrder(head?.generation ?? null, stored);
    if (order.length === 0) {
      const imported = await this.importLegacyInner(sessionId, bytes);
      return imported ? { ...imported, skipped: [], source: 'legacy' } : null;
    }
    const skipped: ReadResult['skipped'] = [];
    for (const generation of order) {
      try {
        const decoded = await this.objects.readGeneration(sessionId, generation, bytes);
        const lineage = decoded.meta.lineage ?? lineageOf(decoded.files);
        if (head?.lineage && lineage !== head.lineage) {
          // Never fall back into another pairing: its auth is dead or belongs to someone else's head.
          skipped.push({ generation, code: StorageErrorCode.FOREIGN_LINEAGE });
          continue;
        }
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
    const keys = await this.objects.call(`list ${sessionPrefix(sessionId)}`, (signal) => this.backend.list(sessionPrefix(sessionId), signal));
    const names = legacyFilesIn(sessionId, keys);
    if (names.length === 0) return null;
    const files = await loadLegacyFiles(sessionId, names, async (key) => {
      const data = await this.objects.call(`get ${key}`, (signal) => this.backend.get(key, signal));
      if (data) bytes.add(data.length);
      return data;
    });
    if (!files.has(LEGACY_CREDS)) return null;
    const meta = await this.publish(sessionId, 1, files, bytes, { checkStale: true });
    this.options.logger?.info({ sessionId, files: files.size, generation: meta.generation }, 'imported legacy auth files as generation 1 (legacy objects left in place)');
    return { meta, files };
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
    // `settled` never rejects (both outcomes mapped above); this only forgets the finished chain.
    void settled.then(() => {
      if (this.writes.get(sessionId) === settled) this.writes.delete(sessionId);
    });
    return run;
  }
}
