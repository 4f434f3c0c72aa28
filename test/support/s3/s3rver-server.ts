import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  const address = await server.run();
  return {
    host: '127.0.0.1',
    port: address.port,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    close: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
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
