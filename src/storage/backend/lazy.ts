import type { ObjectBackend } from './types.js';

/**
 * An `ObjectBackend` whose implementation is loaded on first use. A session host on the `local`
 * driver never needs the S3 client, and one on `minio` needs it only once it touches storage:
 * `minio` and its dependencies are about a megabyte of JavaScript to compile in every host (issue
 * 15). The load happens once; a failed load is retried on the next call rather than cached.
 */
export class LazyBackend implements ObjectBackend {
  private loading: Promise<ObjectBackend> | undefined;
  private loaded: ObjectBackend | undefined;

  constructor(
    readonly driver: ObjectBackend['driver'],
    readonly location: string,
    private readonly load: () => Promise<ObjectBackend>,
  ) {}

  get(key: string): Promise<Buffer | null> {
    return this.backend().then((b) => b.get(key));
  }

  put(key: string, data: Buffer): Promise<void> {
    return this.backend().then((b) => b.put(key, data));
  }

  list(prefix: string): Promise<string[]> {
    return this.backend().then((b) => b.list(prefix));
  }

  listFolders(prefix: string): Promise<string[]> {
    return this.backend().then((b) => b.listFolders(prefix));
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.backend().then((b) => b.delete(keys));
  }

  ping(): Promise<void> {
    return this.backend().then((b) => b.ping());
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
