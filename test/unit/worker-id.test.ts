import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkerError } from '../../src/errors.js';
import { generateWorkerId, parseWorkerIdFile, resolveWorkerId, WORKER_ID_FILE, WORKER_ID_PATTERN } from '../../src/worker-id.js';

const freshDir = (): string => mkdtempSync(join(tmpdir(), 'wa-worker-id-'));

describe('generateWorkerId', () => {
  it('is the sanitised host name plus random hex, always a valid id', () => {
    expect(generateWorkerId('Web-01.Example.COM', 'a1b2c3')).toBe('web-01-example-com-a1b2c3');
    expect(generateWorkerId('___', 'ff')).toBe('worker-ff');
    expect(generateWorkerId('x'.repeat(300), 'ff')).toBe(`${'x'.repeat(30)}-ff`);
    for (const host of ['', 'ü', 'a b', 'host']) expect(generateWorkerId(host)).toMatch(WORKER_ID_PATTERN);
  });

  it('differs between calls (random part)', () => {
    expect(generateWorkerId('h')).not.toBe(generateWorkerId('h'));
  });
});

describe('parseWorkerIdFile', () => {
  it('accepts one id with or without a trailing newline', () => {
    expect(parseWorkerIdFile('w-1\n', 'f')).toBe('w-1');
    expect(parseWorkerIdFile('  w-1  ', 'f')).toBe('w-1');
  });

  it('refuses a damaged file instead of inventing a new identity', () => {
    for (const bad of ['', '\n', 'two words', 'a/b']) {
      expect(() => parseWorkerIdFile(bad, '/d/worker-id')).toThrow(WorkerError);
    }
    try {
      parseWorkerIdFile('', '/d/worker-id');
    } catch (err) {
      expect((err as WorkerError).code).toBe('WORKER_ID_INVALID');
      expect((err as WorkerError).message).toContain('/d/worker-id');
    }
  });
});

describe('resolveWorkerId', () => {
  it('generates an id once, stores it, and returns the same id on every later start', async () => {
    const dir = freshDir();
    const first = await resolveWorkerId(dir);
    expect(first.source).toBe('generated');
    expect(first.workerId).toMatch(WORKER_ID_PATTERN);
    expect(readFileSync(join(dir, WORKER_ID_FILE), 'utf8')).toBe(`${first.workerId}\n`);
    for (let i = 0; i < 3; i++) {
      expect(await resolveWorkerId(dir)).toEqual({ workerId: first.workerId, source: 'file' });
    }
    // No temp files left behind.
    expect(readdirSync(dir)).toEqual([WORKER_ID_FILE]);
  });

  it('lets WORKER_ID win without touching the stored file', async () => {
    const dir = freshDir();
    const stored = await resolveWorkerId(dir);
    expect(await resolveWorkerId(dir, 'from-env')).toEqual({ workerId: 'from-env', source: 'env' });
    expect(readFileSync(join(dir, WORKER_ID_FILE), 'utf8')).toBe(`${stored.workerId}\n`);
  });

  it('does not create a file when WORKER_ID is set', async () => {
    const dir = freshDir();
    await resolveWorkerId(dir, 'from-env');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads an id an operator wrote by hand', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, WORKER_ID_FILE), 'worker-eu-1\n');
    expect(await resolveWorkerId(dir)).toEqual({ workerId: 'worker-eu-1', source: 'file' });
  });

  it('fails with WORKER_ID_INVALID on a damaged file and leaves it for the operator', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, WORKER_ID_FILE), 'not valid!\n');
    await expect(resolveWorkerId(dir)).rejects.toMatchObject({ code: 'WORKER_ID_INVALID' });
    expect(readFileSync(join(dir, WORKER_ID_FILE), 'utf8')).toBe('not valid!\n');
  });

  it('agrees on one id when many starts race on an empty DATA_DIR', async () => {
    const dir = freshDir();
    const results = await Promise.all(Array.from({ length: 8 }, () => resolveWorkerId(dir)));
    const ids = new Set(results.map((r) => r.workerId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.source === 'generated')).toHaveLength(1);
    expect(readFileSync(join(dir, WORKER_ID_FILE), 'utf8').trim()).toBe([...ids][0]);
    expect(readdirSync(dir)).toEqual([WORKER_ID_FILE]);
  });
});
