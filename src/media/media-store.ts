import { createHash } from 'node:crypto';
import type { StorageSettings } from '../ipc/protocol.js';
import { sessionFileName } from '../session-id.js';
import { createBackend } from '../storage/index.js';
import type { ObjectBackend } from '../storage/backend/types.js';
import { DEFAULT_RETRY, resilient } from '../storage/resilience.js';

/**
 * Incoming media, stored through the same storage driver as the auth snapshots (issue 14 §4): the
 * S3 bucket, or `DATA_DIR/storage/` locally. Each medium is two objects:
 *
 *   media/<name>/<message>.bin    the decrypted bytes (`<name>`: sessionFileName, as for snapshots)
 *   media/<name>/<message>.json   {mimetype, size, sha256, storedAt}, written last
 *
 * A reader trusts a medium only when its `.json` exists (a crash between the two leaves no
 * reference). `<message>` is the WhatsApp message id when it is a plain token, else a hash of it:
 * a sender chooses message ids, and no id may become a path.
 */
export const MEDIA_PREFIX = 'media/';

export interface StoredMediaInfo {
  mimetype: string;
  size: number;
  sha256: string;
  storedAt: string;
}

export interface MediaStoreOptions {
  timeoutMs: number;
}

export class MediaStore {
  private constructor(
    private readonly backend: ObjectBackend,
    private readonly options: MediaStoreOptions,
  ) {}

  static create(settings: StorageSettings, options: MediaStoreOptions): MediaStore {
    return new MediaStore(createBackend(settings, options.timeoutMs), options);
  }

  async put(sessionId: string, messageId: string, data: Buffer, mimetype: string): Promise<StoredMediaInfo> {
    const info: StoredMediaInfo = { mimetype, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), storedAt: new Date().toISOString() };
    const base = mediaKeyBase(sessionId, messageId);
    await this.call('media put', () => this.backend.put(`${base}.bin`, data));
    await this.call('media put', () => this.backend.put(`${base}.json`, Buffer.from(JSON.stringify(info))));
    return info;
  }

  /** The medium and its description, or null when nothing (complete) is stored. */
  async get(sessionId: string, messageId: string): Promise<{ info: StoredMediaInfo; data: Buffer } | null> {
    const base = mediaKeyBase(sessionId, messageId);
    const meta = await this.call('media get', () => this.backend.get(`${base}.json`));
    if (!meta) return null;
    const data = await this.call('media get', () => this.backend.get(`${base}.bin`));
    if (!data) return null;
    return { info: JSON.parse(meta.toString()) as StoredMediaInfo, data };
  }

  /** Every stored medium of a session (when the session is deleted). */
  async deleteSession(sessionId: string): Promise<void> {
    const prefix = `${MEDIA_PREFIX}${sessionFileName(sessionId)}/`;
    const keys = await this.call('media list', () => this.backend.list(prefix));
    await this.call('media delete', () => this.backend.delete(keys));
  }

  close(): Promise<void> {
    return this.backend.close();
  }

  private call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    return resilient(action, fn, { timeoutMs: this.options.timeoutMs, retry: DEFAULT_RETRY });
  }
}

const PLAIN_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Pure: `media/<sessionId>/<message>` (no extension) for a validated session id and any message id. */
export function mediaKeyBase(sessionId: string, messageId: string): string {
  const name = PLAIN_ID.test(messageId) ? messageId : `h-${createHash('sha256').update(messageId).digest('hex')}`;
  return `${MEDIA_PREFIX}${sessionFileName(sessionId)}/${name}`;
}
