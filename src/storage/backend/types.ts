/**
 * The few object operations the snapshot store needs, implemented by a folder (`local`) and by any
 * S3-compatible server (`minio`). Keys are built by `layout.ts` only; prefixes end with `/`.
 * Implementations throw `StorageError` with `retryable` set; the store adds timeouts and retries.
 */
export interface ObjectBackend {
  readonly driver: 'local' | 'minio';
  /** Where the objects live, for messages and logs (never contains credentials). */
  readonly location: string;
  /** Object bytes, or null when the object does not exist. */
  get(key: string): Promise<Buffer | null>;
  /** Replaces the object atomically: readers see the old bytes or the new, never a mix. */
  put(key: string, data: Buffer): Promise<void>;
  /** Every key under `prefix`, at any depth. */
  list(prefix: string): Promise<string[]>;
  /** Names of the immediate "folders" under `prefix` (without the prefix and trailing `/`). */
  listFolders(prefix: string): Promise<string[]>;
  /** Deletes the keys; missing keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function assertPrefix(prefix: string): void {
  if (!prefix.endsWith('/') || prefix.startsWith('/') || prefix.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`storage prefix ${JSON.stringify(prefix)} must end with "/" and contain no "." or ".." parts`);
  }
}
