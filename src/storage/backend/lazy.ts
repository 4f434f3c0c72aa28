import type { ObjectBackend } from './types.js';

/**
 * An `ObjectBackend` whose implementation is loaded on first use. A session host on the `local`
 * driver never needs the S3 client, and one on `minio` needs it only once it touches storage:
 * `minio` and its dependencies are about a megabyte of JavaScript to compile in every host (issue
 * 15). The load happens once; a failed load is retried on the next call rather than cached.
 * Every call forwards its AbortSignal (a timed-out attempt must be torn down, resilience.ts).
 */
export class LazyBackend implements ObjectBackend {
  private loading: Promise<ObjectBackend> | undefined;
  private loaded: ObjectBackend | undefined;

  constructor(
    readonly driver: ObjectBackend['driver'],
    readonly location: string,
    private readonly load: () => Promise<ObjectBackend>,
  ) {}

  get(key: string, signal?: AbortSignal): Promise<Buffer | null> {
    return this.backend().then((b) => b.get(key, signal));
  }

  put(key: string, data: Buffer, signal?: AbortSignal): Promise<void> {
    return this.backend().then((b) => b.put(key, data, signal));
  }

  list(prefix: string, signal?: AbortSignal): Promise<string[]> {
    return this.backend().then((b) => b.list(prefix, signal));
  }

  listFolders(prefix: string, signal?: AbortSignal): Promise<string[]> {
    return this.backend().then((b) => b.listFolders(prefix, signal));
  }

  delete(keys: readonly string[], signal?: AbortSignal): Promise<void> {
    return this.backend().then((b) => b.delete(keys, signal));
  }

  ping(signal?: AbortSignal): Promise<void> {
    return this.backend().then((b) => b.ping(signal));
  }

  /** Nothing to close when nothing was ever loaded. */
  async close(): Promise<void> {
    if (this.loading) await (await this.loading.catch(() => undefined))?.close();
  }

  private backend(): Promise<ObjectBackend> {
    if (this.loaded) return Promise.resolve(this.loaded);
    this.loading ??= this.load().then(
      (b) => (this.loaded = b),
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }
}
