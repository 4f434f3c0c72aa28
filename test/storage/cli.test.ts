import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/storage/backend/local.js';
import { createSnapshotStore } from '../../src/storage/index.js';
import { legacyKey, snapshotKey } from '../../src/storage/layout.js';
import { smallAuthFolder } from './fixtures/auth-folder.js';

const CLI = join(process.cwd(), 'dist/src/storage/cli/main.js');

/** The maintenance command as operators run it: a real process on the compiled code (piscina needs JS). */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run storage (bulk maintenance)', () => {
  let dataDir: string;
  const key = Buffer.alloc(32, 7);
  const env = () => ({ DATA_DIR: dataDir, STORAGE_DRIVER: 'local', AUTH_ENCRYPTION_KEY: key.toString('base64'), LOG_LEVEL: 'error' });

  beforeAll(async () => {
    // test/support/global-setup.ts builds dist/ before any file runs; a missing CLI is a build failure.
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: the vitest globalSetup (test/support/global-setup.ts) builds dist/ — run \`npm run build\` and see its errors`);
    dataDir = await mkdtemp(join(tmpdir(), 'wa-storage-cli-'));
    const store = createSnapshotStore({ driver: 'local', dataDir }, { workerId: 'w', encryptionKeys: [key], timeoutMs: 5_000 });
    for (let g = 1; g <= 2; g++) await store.putSnapshot('good', g, smallAuthFolder(`g${g}`));
    await store.putSnapshot('bad', 1, smallAuthFolder('b1'));
    await store.putSnapshot('bad', 2, smallAuthFolder('b2'));
    await store.close();
    const raw = new LocalBackend(join(dataDir, 'storage'));
    const blob = (await raw.get(snapshotKey('bad', 2)))!;
    await raw.put(snapshotKey('bad', 2), blob.subarray(0, 100));
    await raw.put(legacyKey('old', 'creds.json'), Buffer.from('{"legacy":true}'));
    await raw.put(legacyKey('old', 'pre-key-1.json'), Buffer.from('{"k":1}'));
  }, 120_000);

  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('verify --all reports every generation and exits 1 on a bad one', async () => {
    const { code, stdout } = await runCli(['verify', '--all'], env());
    expect(stdout).toContain('verify: 3 session(s)');
    expect(stdout).toMatch(/\[\d\/3\] good: pointer -> 2; gen 2\* ok \(3 files, key [0-9a-f]{16}\), gen 1 ok/);
    expect(stdout).toMatch(/\[\d\/3\] bad: pointer -> 2; gen 2\* SNAPSHOT_TRUNCATED, gen 1 ok/);
    expect(stdout).toMatch(/\[\d\/3\] old: no pointer; no snapshots \(legacy layout: 2 files/);
    expect(stdout).toContain('1 problem(s)');
    expect(code).toBe(1);
  });

  it('import-legacy imports only where no snapshot exists, then verify is clean for it', async () => {
    const imported = await runCli(['import-legacy', '--all'], env());
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/old: imported 2 legacy files as generation 1/);
    expect(imported.stdout).toMatch(/good: skipped, already has snapshots \(generation 2\)/);
    const verified = await runCli(['verify', 'old'], env());
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/old: pointer -> 1; gen 1\* ok \(2 files, key /);
  });

  it('a usage error exits 2 with the usage text', async () => {
    const { code, stderr } = await runCli(['verify'], env());
    expect(code).toBe(2);
    expect(stderr).toContain('usage: npm run storage');
  });
});
