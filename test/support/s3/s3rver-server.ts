import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import S3rver from 's3rver';
import type { StorageSettings } from '../../../src/ipc/protocol.js';
import { FaultProxy } from './fault-proxy.js';

/**
 * s3rver started in-process on 127.0.0.1 with a fresh folder. It checks the access key and the
 * signature (credentials S3RVER/S3RVER). Listings over 1,000 keys need node's
 * `--openssl-legacy-provider` (set in vitest.config.ts). It lacks `GET ?uploads`, which the minio
 * client sends only for multipart uploads; snapshots are always single PUTs.
 */
export interface RunningS3rver {
  host: string;
  port: number;
  accessKey: string;
  secretKey: string;
  close(): Promise<void>;
}

export async function startS3rver(): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 'wa-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true });
  await atomicPuts(server, `${directory}-partial`);
  const address = await server.run();
  return {
    host: '127.0.0.1',
    port: address.port,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
      await rm(`${directory}-partial`, { recursive: true, force: true });
    },
  };
}

/** The parts of s3rver's FilesystemStore (lib/stores/filesystem.js) that `atomicPuts` uses. */
interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: { bucket: string; key: string; content: AsyncIterable<Buffer> | Buffer; metadata: Record<string, string> }): Promise<{ size: number; md5: string }>;
}

/**
 * s3rver 3.7 streams a PUT straight into the object's file: a PUT cut off by a killed host or a
 * storage outage leaves a truncated object (and, since it never forwards the request's error, a
 * request that hangs). S3 and Swift replace an object atomically and store nothing of an
 * incomplete body. Its store's `putObject` is replaced to do the same: read the whole body, refuse
 * one shorter than its Content-Length, then write a temporary file and rename it over the object.
 * Without this the chaos run's kills broke "every published generation is readable" on the test
 * server, not in the worker.
 */
async function atomicPuts(server: S3rver, partialDir: string): Promise<void> {
  await mkdir(partialDir, { recursive: true });
  const store = (server as unknown as { store: S3rverStore }).store;
  let seq = 0;
  store.putObject = async (object) => {
    const chunks: Buffer[] = [];
    if (Buffer.isBuffer(object.content)) chunks.push(object.content);
    else for await (const chunk of object.content) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const declared = Number(object.metadata['content-length']);
    if (Number.isFinite(declared) && declared !== body.length) throw new Error(`incomplete PUT of ${object.key}: ${body.length} of ${declared} bytes`);
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    const partial = join(partialDir, `${seq++}.partial`);
    await writeFile(partial, body);
    await mkdir(dirname(objectPath), { recursive: true });
    await rename(partial, objectPath);
    const md5 = createHash('md5').update(body).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: body.length, md5 };
  };
}

export type MinioSettings = Extract<StorageSettings, { driver: 'minio' }>;

/** `minio`-driver settings for an S3 server (or for a proxy in front of it: `port`). */
export function minioSettings(s3: Pick<RunningS3rver, 'host' | 'port' | 'accessKey' | 'secretKey'>, options: { port?: number; bucket?: string } = {}): MinioSettings {
  return { driver: 'minio', endPoint: s3.host, port: options.port ?? s3.port, useSSL: false, accessKey: s3.accessKey, secretKey: s3.secretKey, bucket: options.bucket ?? 'whatsapp-sessions', region: 'us-east-1' };
}

/**
 * s3rver with a FaultProxy in front, for tests that make storage fail under a host: `storage`
 * goes through the proxy (give it to the hosts), `direct` goes around it (the test's own reads).
 */
export interface S3rverBehindProxy {
  s3: RunningS3rver;
  proxy: FaultProxy;
  storage: MinioSettings;
  direct: MinioSettings;
  close(): Promise<void>;
}

export async function startS3rverBehindProxy(bucket = 'whatsapp-sessions'): Promise<S3rverBehindProxy> {
  const s3 = await startS3rver();
  const proxy = new FaultProxy({ host: s3.host, port: s3.port });
  await proxy.start();
  return {
    s3,
    proxy,
    storage: minioSettings(s3, { port: proxy.port, bucket }),
    direct: minioSettings(s3, { bucket }),
    close: async () => {
      await proxy.close();
      await s3.close();
    },
  };
}
