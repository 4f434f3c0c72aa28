/**
 * The few object operations the snapshot store needs, implemented by a folder (`local`) and by any
 * S3-compatible server (`minio`). Keys are built by `layout.ts` only; prefixes end with `/`.
 * Implementations throw `StorageError` with `retryable` set; the store adds timeouts and retries.
 * Every call takes the attempt's AbortSignal: once it fires, the request is torn down and a write
 * must not take effect any more (a late PUT landing after a newer one is how a pointer would move
 * backwards).
 */
export interface ObjectBackend {
  readonly driver: 'local' | 'minio';
  /** Where the objects live, for messages and logs (never contains credentials). */
  readonly location: string;
  /** Object bytes, or null when the object does not exist. */
  get(key: string, signal?: AbortSignal): Promise<Buffer | null>;
  /** Replaces the object atomically: readers see the old bytes or the new, never a mix. */
  put(key: string, data: Buffer, signal?: AbortSignal): Promise<void>;
  /** Every key under `prefix`, at any depth. */
  list(prefix: string, signal?: AbortSignal): Promise<string[]>;
  /** Names of the immediate "folders" under `prefix` (without the prefix and trailing `/`). */
  listFolders(prefix: string, signal?: AbortSignal): Promise<string[]>;
  /** Deletes the keys; missing keys are not an error. */
  delete(keys: readonly string[], signal?: AbortSignal): Promise<void>;
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export function assertPrefix(prefix: string): void {
  if (!prefix.endsWith('/') || prefix.startsWith('/') || prefix.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`storage prefix ${JSON.stringify(prefix)} must end with "/" and contain no "." or ".." parts`);
  }
}
