/**
 * The local driver's ping answers "is the storage folder usable" with one folder read, whatever
 * the number of sessions: the supervisor's storage probe runs it every 10 s (and /ready on
 * demand), and walking every session's snapshots made an idle supervisor's cost grow with N
 * (issue 15). `readdir` is counted through a pass-through wrapper: the real call still runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as FsPromises from 'node:fs/promises';

const counted = vi.hoisted(() => ({ readdir: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const readdir = ((...args: Parameters<typeof real.readdir>) => {
    counted.readdir++;
    return real.readdir(...args);
  }) as typeof real.readdir;
  return { ...real, default: { ...real, readdir }, readdir };
});

const { createSnapshotStore } = await import('../../src/storage/index.js');
const { smallAuthFolder } = await import('./fixtures/auth-folder.js');

const dataDir = await mkdtemp(join(tmpdir(), 'wa-storage-ping-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('local driver ping', () => {
  it('reads one folder with 20 sessions stored, and still fails when the folder is unusable', async () => {
    const store = createSnapshotStore({ driver: 'local', dataDir }, { workerId: 'w', encryptionKeys: [], timeoutMs: 5_000 });
    await store.ping(); // nothing stored yet: reachable
    for (let i = 0; i < 20; i++) await store.putSnapshot(`s${i}`, 1, smallAuthFolder(`s${i}`));
    counted.readdir = 0;
    await store.ping();
    expect(counted.readdir).toBe(1);
    await store.close();

    // A storage root that is a file, not a folder: not usable.
    const broken = join(dataDir, 'broken');
    await mkdir(join(broken, 'storage'), { recursive: true });
    await writeFile(join(broken, 'storage', 'sessions'), 'x');
    const bad = createSnapshotStore({ driver: 'local', dataDir: broken }, { workerId: 'w', encryptionKeys: [], timeoutMs: 5_000 });
    await expect(bad.ping()).rejects.toMatchObject({ code: expect.any(String) });
    await bad.close();
  });
});
