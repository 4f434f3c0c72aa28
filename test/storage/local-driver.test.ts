import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSnapshotStore } from '../../src/storage/index.js';
import { defineStoreContract, type StoreHarness } from './contract.js';
import { smallAuthFolder } from './fixtures/auth-folder.js';

const dataDir = await mkdtemp(join(tmpdir(), 'wa-storage-local-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('local driver', () => {
  const harness: StoreHarness = { name: 'local', settings: { driver: 'local', dataDir }, legacyPreKeys: 800 };
  defineStoreContract(() => harness);

  it('stores under <dataDir>/storage/, never in the hosts\' live auth folders (<dataDir>/sessions/)', async () => {
    const store = createSnapshotStore({ driver: 'local', dataDir }, { workerId: 'w', encryptionKeys: [], timeoutMs: 5_000 });
    await store.putSnapshot('placement', 1, smallAuthFolder('x'));
    expect(await readdir(join(dataDir, 'storage', 'sessions', 'placement', 'snapshots'))).toEqual(['000000000001.snap']);
    expect(await readdir(dataDir)).toEqual(['storage']);
    await store.close();
  });
});
