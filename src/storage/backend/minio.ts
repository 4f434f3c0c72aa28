import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import * as Minio from 'minio';
import type { StorageSettings } from '../../ipc/protocol.js';
import { StorageError, StorageErrorCode } from '../errors.js';
import { minioLocation } from './minio-location.js';
import { classifyS3Error, isNoSuchBucket, isNotFound } from './classify.js';
import { assertPrefix, type ObjectBackend } from './types.js';

/** The `minio` storage settings of the IPC `init` (one definition), plus the socket timeout. */
export type MinioBackendSettings = Omit<Extract<StorageSettings, { driver: 'minio' }>, 'driver'> & {
  /** Idle-socket timeout: a server that stops answering frees the socket after this long. */
  socketTimeoutMs: number;
};

/**
 * The AbortSignal of the store call in progress. The `minio` client takes no signal, so the
 * transport below picks it up from the async context of the call that made the request.
 */
const callSignal = new AsyncLocalStorage<AbortSignal | undefined>();

/** S3's limit for one multi-object delete. */
const DELETE_BATCH = 1000;

/**
 * Objects in one bucket of any S3-compatible server through the `minio` client. The client's own
 * retries are off (the store retries with p-retry, once, in one place). Snapshots are far below the
 * client's part size, so every put is one PUT: atomic on the server, never a multipart upload.
 */
export class MinioBackend implements ObjectBackend {
  readonly driver = 'minio' as const;
  readonly location: string;
  private readonly client: Minio.Client;
  private readonly agent: http.Agent;
  private bucketReady: Promise<void> | undefined;

  constructor(private readonly settings: MinioBackendSettings) {
    this.location = minioLocation(settings);
    const lib = settings.useSSL ? https : http;
    this.agent = new lib.Agent({ keepAlive: true, maxSockets: 16 });
    const timeout = settings.socketTimeoutMs;
    // A transport that destroys a socket left idle too long; without it a silent server would hold
    // the request (and its promise) forever.
    const transport = {
      request: ((options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) => {
        const signal = callSignal.getStore();
        const req = lib.request({ ...options, timeout, ...(signal ? { signal } : {}) }, callback);
        req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer for ${timeout} ms`), { code: 'ETIMEDOUT' })));
        return req;
      }) as typeof http.request,
    };
    this.client = new Minio.Client({
      endPoint: settings.endPoint,
      port: settings.port,
      useSSL: settings.useSSL,
      accessKey: settings.accessKey,
      secretKey: settings.secretKey,
      region: settings.region,
      pathStyle: true,
      transport,
      transportAgent: this.agent,
      retryOptions: { disableRetry: true },
    });
  }

  async get(key: string, signal?: AbortSignal): Promise<Buffer | null> {
    return callSignal.run(signal, () => this.getInner(key));
  }

  async put(key: string, data: Buffer, signal?: AbortSignal): Promise<void> {
    return callSignal.run(signal, () => this.putInner(key, data));
  }

  async list(prefix: string, signal?: AbortSignal): Promise<string[]> {
    return callSignal.run(signal, () => this.listInner(prefix));
  }

  async listFolders(prefix: string, signal?: AbortSignal): Promise<string[]> {
    return callSignal.run(signal, () => this.listFoldersInner(prefix));
  }

  async delete(keys: readonly string[], signal?: AbortSignal): Promise<void> {
    return callSignal.run(signal, () => this.deleteInner(keys));
  }

  async ping(signal?: AbortSignal): Promise<void> {
    this.bucketReady = undefined;
    return callSignal.run(signal, () => this.ensureBucket());
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private async getInner(key: string): Promise<Buffer | null> {
    await this.ensureBucket();
    try {
      const stream = await this.client.getObject(this.settings.bucket, key);
      return await readAll(stream);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw this.fail(`get ${key}`, err);
    }
  }

  private async putInner(key: string, data: Buffer): Promise<void> {
    await this.ensureBucket();
    try {
      await this.client.putObject(this.settings.bucket, key, data, data.length, { 'Content-Type': 'application/octet-stream' });
    } catch (err) {
      throw this.fail(`put ${key}`, err);
    }
  }

  private async listInner(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    await this.ensureBucket();
    try {
      const keys: string[] = [];
      for await (const item of this.client.listObjects(this.settings.bucket, prefix, true)) {
        if (item.name) keys.push(item.name);
      }
      return keys.sort();
    } catch (err) {
      throw this.fail(`list ${prefix}`, err);
    }
  }

  private async listFoldersInner(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    await this.ensureBucket();
    try {
      const names = new Set<string>();
      for await (const item of this.client.listObjects(this.settings.bucket, prefix, false)) {
        if (item.prefix && item.prefix.startsWith(prefix) && item.prefix.endsWith('/')) {
          names.add(item.prefix.slice(prefix.length, -1));
        }
      }
      return [...names].sort();
    } catch (err) {
      throw this.fail(`list ${prefix}`, err);
    }
  }

  private async deleteInner(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.ensureBucket();
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      let errors;
      try {
        errors = await this.client.removeObjects(this.settings.bucket, [...batch]);
      } catch (err) {
        throw this.fail(`delete ${batch.length} objects`, err);
      }
      const real = (errors as { Code?: string; Key?: string }[]).filter((e) => e.Code !== 'NoSuchKey');
      if (real.length > 0) {
        throw this.fail(`delete ${real[0]?.Key ?? 'objects'}`, Object.assign(new Error(`${real.length} objects not deleted`), { code: real[0]?.Code }));
      }
    }
  }

  /** Creates the bucket when missing, once; a failure is not cached so the next call tries again. */
  private ensureBucket(): Promise<void> {
    this.bucketReady ??= this.createBucketIfMissing().catch((err: unknown) => {
      this.bucketReady = undefined;
      throw err;
    });
    return this.bucketReady;
  }

  private async createBucketIfMissing(): Promise<void> {
    const { bucket, region } = this.settings;
    try {
      if (await this.client.bucketExists(bucket)) return;
    } catch (err) {
      throw this.fail('check bucket', err);
    }
    try {
      await this.client.makeBucket(bucket, region);
    } catch (err) {
      // Another worker may have created it in between.
      const code = (err as { code?: string }).code;
      if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return;
      throw this.fail('create bucket', err);
    }
  }

  private fail(action: string, err: unknown): StorageError {
    if (isNoSuchBucket(err)) {
      // Deleted under us: forget that it existed, and let the retry create it again.
      this.bucketReady = undefined;
      return new StorageError(StorageErrorCode.UNAVAILABLE, `bucket ${this.settings.bucket} disappeared during ${action}`, { cause: err, retryable: true });
    }
    return classifyS3Error(err, { action, location: this.location });
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
