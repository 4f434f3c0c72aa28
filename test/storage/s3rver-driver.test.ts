import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { FaultProxy } from '../support/s3/fault-proxy.js';
import { minioSettings, startS3rver, type RunningS3rver } from '../support/s3/s3rver-server.js';
import { defineStoreContract, type StoreHarness } from './contract.js';

describe('minio driver against s3rver (in-process)', () => {
  let server: RunningS3rver;
  let harness: StoreHarness;
  const proxyHolder: { proxy?: FaultProxy } = {};

  beforeAll(async () => {
    server = await startS3rver();
    // The driver creates the bucket itself: none exists yet.
    const bucket = `wa-test-${randomBytes(4).toString('hex')}`;
    const settings = minioSettings(server, { bucket });
    const proxy = new FaultProxy({ host: server.host, port: server.port });
    await proxy.start();
    proxyHolder.proxy = proxy;
    harness = {
      name: 's3rver',
      settings,
      // Over 1,000 objects: the legacy listing needs more than one page.
      legacyPreKeys: 1_100,
      network: {
        proxy,
        bucket,
        viaProxy: { ...settings, port: proxy.port },
        wrongCredentials: { ...settings, accessKey: 'WRONGKEY', secretKey: 'wrong-secret-value' },
      },
    };
  });

  afterAll(async () => {
    await proxyHolder.proxy?.close();
    await server?.close();
  });

  defineStoreContract(() => harness);
});
