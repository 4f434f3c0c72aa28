import type { SnapshotMessage, StorageOpMessage } from '../src/ipc/protocol.js';
import { errorCode, errorMessage } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { SnapshotStore } from '../src/storage/types.js';
import type { AuthStore } from './auth/auth-state.js';
import { DEFAULT_UPLOAD_TIMING, nextUploadDelay, uploadRetryDelay, type UploadTiming } from './upload-schedule.js';

export type UploadTrigger = SnapshotMessage['trigger'];

export interface UploaderDeps {
  sessionId: string;
  store: SnapshotStore;
  auth: AuthStore;
  logger: Logger;
  timing?: UploadTiming;
  onSnapshot: (message: SnapshotMessage) => void;
  onFailure?: (message: StorageOpMessage) => void;
}

/**
 * Publishes auth snapshots: debounced after changes, on demand (`connected`, stop). Uploads are
 * serialised — never two at once — and each uses the ledger's generation, which only grows.
 * An unpaired state is never uploaded: it would replace a good remote snapshot with nothing.
 * Only a state that descends from the published head is published (same pairing, not behind it);
 * once storage refuses ours as stale or of another pairing, this host's state is a fork and it
 * stops publishing — the local folder keeps it, the next start picks by lineage and generation.
 */
export class SnapshotUploader {
  private readonly timing: UploadTiming;
  private timer: NodeJS.Timeout | undefined;
  private firstChangeAt: number | undefined;
  private chain: Promise<number | null> = Promise.resolve(null);
  private failures = 0;
  private closed = false;
  /** Storage refused our state as not descending from its head; set once, never cleared. */
  private diverged: string | undefined;

  constructor(private readonly deps: UploaderDeps) {
    this.timing = deps.timing ?? DEFAULT_UPLOAD_TIMING;
  }

  /** Called on every auth change. */
  changed(): void {
    if (this.closed) return;
    const now = Date.now();
    this.firstChangeAt ??= now;
    this.arm(nextUploadDelay(now, this.firstChangeAt, this.timing));
  }

  /** Uploads now (after any upload in flight). Resolves with the published generation, or null when nothing was due. */
  upload(trigger: UploadTrigger, force = false): Promise<number | null> {
    this.disarm();
    this.firstChangeAt = undefined;
    const run = this.chain.then(() => this.uploadOnce(trigger, force));
    this.chain = run.catch(() => null);
    return run;
  }

  /** Final upload for stop/orphan: timers off, waits for pending writes, then uploads if needed. */
  async flush(trigger: UploadTrigger): Promise<number | null> {
    this.closed = true;
    this.disarm();
    await this.deps.auth.idle();
    return this.upload(trigger);
  }

  /** No more uploads (logout, replaced). */
  close(): void {
    this.closed = true;
    this.disarm();
  }

  /** Resolves once no upload is in flight; after `close()` none starts again (a logout deletes after this). */
  async settled(): Promise<void> {
    await this.chain;
  }

  private async uploadOnce(trigger: UploadTrigger, force: boolean): Promise<number | null> {
    const { auth, store, sessionId, logger } = this.deps;
    await auth.idle();
    if (!auth.uploadable || this.diverged) return null;
    if (!auth.ledger.needsUpload && !force) return auth.ledger.uploaded;
    const generation = auth.ledger.beginUpload();
    const files = auth.snapshotFiles();
    const started = Date.now();
    try {
      const meta = await store.putSnapshot(sessionId, generation, files);
      auth.ledger.uploadSucceeded(generation);
      this.failures = 0;
      this.deps.onSnapshot({ type: 'snapshot', generation, bytes: meta.bytes, durationMs: Date.now() - started, trigger });
      logger.info({ generation, bytes: meta.bytes, trigger }, 'auth snapshot uploaded');
      // Changes that arrived during the upload already carry generation + 1; publish them later.
      if (auth.ledger.needsUpload && !this.closed) this.changed();
      return generation;
    } catch (err) {
      auth.ledger.uploadFailed();
      const code = errorCode(err);
      this.deps.onFailure?.({ type: 'storage-op', op: 'put_snapshot', ok: false, durationMs: Date.now() - started, bytes: 0, errorCode: code });
      if (code === 'STORAGE_STALE_GENERATION' || code === 'STORAGE_FOREIGN_LINEAGE') {
        // Publishing above the head would replace newer (or another pairing's) auth with ours.
        this.diverged = code;
        this.disarm();
        logger.error({ generation, code, err: errorMessage(err), trigger }, 'local auth state does not descend from the published head; no longer publishing it (the local folder keeps it)');
        throw err;
      }
      this.failures++;
      logger.error({ generation, code, err: errorMessage(err), trigger }, 'auth snapshot upload failed; local copy kept');
      if (!this.closed) this.arm(uploadRetryDelay(this.failures));
      throw err;
    }
  }

  private arm(delayMs: number): void {
    this.disarm();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.upload('debounce').catch(() => undefined);
    }, delayMs);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
