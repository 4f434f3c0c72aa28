import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import * as Minio from 'minio';
import type { StorageSettings } from '../../src/ipc/protocol.js';
import { FaultProxy } from '../support/s3/fault-proxy.js';
import { swiftReachable, swiftRequired, swiftTarget } from '../support/swift/env.js';
import { defineStoreContract, type StoreHarness } from './contract.js';

/**
 * The contract against OpenStack Swift with the s3api middleware: a real S3-compatible server that
 * checks AWS signatures. Start it with test/support/swift/start.sh (CI: `.ci/run`; locally:
 * `npm run test:swift`). Skipped with a message when unreachable, unless REQUIRE_SWIFT=1.
 */
const target = swiftTarget();
const reachable = await swiftReachable(target);
const where = `${target.host}:${target.port}`;

if (!reachable && !swiftRequired) {
  console.warn(`[swift] OpenStack Swift is not reachable at ${where}: skipping the Swift storage suite (run test/support/swift/install.sh && test/support/swift/start.sh, or set REQUIRE_SWIFT=1 to fail instead)`);
}

describe.skipIf(!reachable && !swiftRequired)(`minio driver against OpenStack Swift s3api (${where})`, () => {
  if (!reachable) {
    it('Swift is reachable (REQUIRE_SWIFT=1)', () => {
      throw new Error(`REQUIRE_SWIFT=1 but OpenStack Swift is not reachable at ${where}: run test/support/swift/start.sh`);
    });
    return;
  }

  const bucket = `wa-test-${randomBytes(4).toString('hex')}`;
  const settings: StorageSettings = { driver: 'minio', endPoint: target.host, port: target.port, useSSL: false, accessKey: target.accessKey, secretKey: target.secretKey, bucket, region: target.region };
  const proxy = new FaultProxy({ host: target.host, port: target.port });
  const harness: StoreHarness = {
    name: 'swift',
    settings,
    legacyPreKeys: 300,
    network: { proxy, bucket, viaProxy: settings, wrongCredentials: { ...settings, secretKey: 'wrong-secret-value' } },
  };

  beforeAll(async () => {
    await proxy.start();
    harness.network!.viaProxy = { ...settings, port: proxy.port };
  });

  afterAll(async () => {
    await proxy.close();
    // Leave the shared server clean: remove what the suite created, then the bucket.
    const client = new Minio.Client({ endPoint: target.host, port: target.port, useSSL: false, accessKey: target.accessKey, secretKey: target.secretKey, region: target.region, pathStyle: true });
    const keys: string[] = [];
    for await (const item of client.listObjects(bucket, '', true)) if (item.name) keys.push(item.name);
    if (keys.length > 0) await client.removeObjects(bucket, keys);
    await client.removeBucket(bucket).catch(() => undefined);
  });

  defineStoreContract(() => harness);
});
