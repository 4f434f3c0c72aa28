import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AuthStore } from '../../session-host/auth/auth-state.js';
import { AuthFolder } from '../../session-host/auth/folder.js';
import { moveAside, pruneStale, staleEntriesToPrune, staleEntryName, STALE_RETENTION_MS } from '../../session-host/auth/stale.js';
import { lineageOf } from '../../src/storage/lineage.js';

const logger = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function folder(): Promise<AuthFolder> {
  const d = await mkdtemp(join(tmpdir(), 'wa-auth-'));
  dirs.push(d);
  return new AuthFolder(join(d, 'sessions', 's1'));
}

describe('auth store (memory + write-through)', () => {
  it('writes keys and creds through to the folder and reads them back after a reload', async () => {
    const f = await folder();
    const store = new AuthStore(f, new Map(), { current: 0, uploaded: 0 }, logger);
    await store.keys.set({ 'pre-key': { '1': { public: Buffer.from([1, 2]), private: Buffer.from([3, 4]) } }, session: { 'a:1': Buffer.from('sess') } });
    await store.saveCreds({ me: { id: '15550001111:1@s.whatsapp.net' } });
    expect(store.uploadable).toBe(true);

    const loaded = await f.load();
    expect([...loaded.files.keys()].sort()).toEqual(['creds.json', 'pre-key-1.json', 'session-a-1.json']);
    expect(loaded.label.generation).toBe(1); // first change after "uploaded 0" is labelled 1, and labelled first
    const again = new AuthStore(f, loaded.files, { current: loaded.label.generation, uploaded: 0 }, logger);
    const got = await again.keys.get('pre-key', ['1', '2']);
    expect(Buffer.from(got['1']!.private)).toEqual(Buffer.from([3, 4]));
    expect(got['2']).toBeUndefined();
    expect(again.creds.me?.id).toBe('15550001111:1@s.whatsapp.net');
    expect(Buffer.isBuffer(again.creds.noiseKey.private)).toBe(true);
  });

  it('deleting a key removes its file; returned values are copies Baileys cannot mutate into our state', async () => {
    const f = await folder();
    const store = new AuthStore(f, new Map(), { current: 0, uploaded: 0 }, logger);
    await store.keys.set({ 'sender-key-memory': { g1: { a: true } } });
    const first = await store.keys.get('sender-key-memory', ['g1']);
    first['g1']!['b'] = true;
    expect(await store.keys.get('sender-key-memory', ['g1'])).toEqual({ g1: { a: true } });
    await store.keys.set({ 'sender-key-memory': { g1: null } });
    expect(await readdir(f.dir)).not.toContain('sender-key-memory-g1.json');
  });

  it('a change after an upload bumps the generation on disk before the change is written', async () => {
    const f = await folder();
    const store = new AuthStore(f, new Map(), { current: 4, uploaded: 4 }, logger);
    await store.keys.set({ 'pre-key': { '9': { public: Buffer.from([1]), private: Buffer.from([2]) } } });
    expect(JSON.parse(await readFile(join(f.dir, 'generation.json'), 'utf8'))).toEqual({ generation: 5 });
    expect(store.snapshotFiles().has('generation.json')).toBe(false);
    // Once creds exist, the label names their pairing too.
    await store.saveCreds({ me: { id: '15550001111:1@s.whatsapp.net' } });
    expect((await f.load()).label).toEqual({ generation: 5, lineage: store.lineage });
    expect(store.lineage).toBe(lineageOf(store.snapshotFiles()));
  });
});

describe('auth folder: whole-folder restores are all or nothing', () => {
  const files = (marker: string) => new Map([['creds.json', Buffer.from(JSON.stringify({ marker }))], ['pre-key-1.json', Buffer.from(marker)]]);

  it('replaceAll swaps the whole folder in, label included', async () => {
    const f = await folder();
    await f.replaceAll(files('old'), { generation: 3, lineage: null });
    await f.replaceAll(files('new'), { generation: 9, lineage: 'c'.repeat(24) });
    const loaded = await f.load();
    expect(loaded.label).toEqual({ generation: 9, lineage: 'c'.repeat(24) });
    expect(loaded.files.get('creds.json')?.toString()).toContain('new');
    expect(await readdir(join(f.dir, '..'))).toEqual(['s1']);
  });

  it('a restore cut short leaves the old folder: the partial new one is dropped, a half-done swap is undone', async () => {
    const f = await folder();
    await f.replaceAll(files('old'), { generation: 3, lineage: null });
    // Killed while filling the temporary folder: a paired creds.json and part of the keys.
    await mkdir(join(f.dir, '..', '.s1.restoring'));
    await writeFile(join(f.dir, '..', '.s1.restoring', 'creds.json'), JSON.stringify({ marker: 'partial' }));
    let loaded = await f.load();
    expect(loaded.files.get('creds.json')?.toString()).toContain('old');
    expect(await readdir(join(f.dir, '..'))).toEqual(['s1']);
    // Killed between the two renames: the old folder waits under its temporary name.
    await rename(f.dir, join(f.dir, '..', '.s1.replaced'));
    loaded = await f.load();
    expect(loaded.label.generation).toBe(3);
    expect(loaded.files.get('creds.json')?.toString()).toContain('old');
  });

  it('folders of another pairing are moved aside, not deleted, and pruned after the retention', async () => {
    const f = await folder();
    await f.replaceAll(files('dead'), { generation: 57, lineage: 'd'.repeat(24) });
    const staleRoot = join(f.dir, '..', '..', 'stale');
    const moved = await moveAside(f.dir, staleRoot, { generation: 57, lineage: 'd'.repeat(24) }, 1_700_000_000_000);
    expect(moved.endsWith(staleEntryName('s1', { generation: 57, lineage: 'd'.repeat(24) }, 1_700_000_000_000))).toBe(true);
    expect((await readFile(join(moved, 'creds.json'))).toString()).toContain('dead');
    expect(await pruneStale(staleRoot, 1_700_000_000_000 + STALE_RETENTION_MS - 1)).toEqual([]);
    expect(await pruneStale(staleRoot, 1_700_000_000_000 + STALE_RETENTION_MS + 1)).toHaveLength(1);
    expect(await readdir(staleRoot)).toEqual([]);
    expect(staleEntriesToPrune(['not-ours', 's1.unknown.g0.1700000000000'], 1_700_000_000_000 + STALE_RETENTION_MS + 1)).toEqual(['s1.unknown.g0.1700000000000']);
  });
});
