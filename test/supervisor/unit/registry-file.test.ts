import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RegistryFile, parseRegistry, type RegistryEntry } from '../../../supervisor/registry/registry-file.js';

const entry = (sessionId: string, over: Partial<RegistryEntry> = {}): RegistryEntry => ({ sessionId, userId: null, name: null, createdAt: '2026-01-01T00:00:00.000Z', desired: 'running', ended: null, ...over });

describe('registry file', () => {
  it('round-trips entries through an atomic write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reg-'));
    const file = new RegistryFile(dir);
    expect(await file.load()).toEqual([]);
    const entries = [entry('a', { userId: 'u1' }), entry('b', { desired: 'stopped', ended: { status: 'logged_out', reason: null } })];
    await file.save(entries);
    expect(await new RegistryFile(dir).load()).toEqual(entries);
    expect(JSON.parse(readFileSync(join(dir, 'registry.json'), 'utf8')).version).toBe(1);
  });

  it('coalesces writes queued while one runs, ending with the newest list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reg-'));
    const file = new RegistryFile(dir);
    const writes = [1, 2, 3, 4, 5].map((n) => file.save(Array.from({ length: n }, (_, i) => entry(`s${i}`))));
    await Promise.all(writes);
    expect((await file.load()).map((e) => e.sessionId)).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('refuses a corrupt file or an entry whose id could escape DATA_DIR', async () => {
    expect(() => parseRegistry('{nope')).toThrow(expect.objectContaining({ code: 'REGISTRY_CORRUPT' }));
    expect(() => parseRegistry(JSON.stringify({ sessions: [{ sessionId: '../etc' }] }))).toThrow(expect.objectContaining({ code: 'REGISTRY_CORRUPT' }));
    const dir = mkdtempSync(join(tmpdir(), 'reg-'));
    writeFileSync(join(dir, 'registry.json'), '{"sessions": 5}');
    await expect(new RegistryFile(dir).load()).rejects.toMatchObject({ code: 'REGISTRY_CORRUPT' });
  });
});
