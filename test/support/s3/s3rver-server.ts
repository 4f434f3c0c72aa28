import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

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
