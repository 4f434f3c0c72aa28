import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AuthStore } from '../../session-host/auth/auth-state.js';
import { AuthFolder } from '../../session-host/auth/folder.js';

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
    expect(loaded.generation).toBe(1); // first change after "uploaded 0" is labelled 1, and labelled first
    const again = new AuthStore(f, loaded.files, { current: loaded.generation, uploaded: 0 }, logger);
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
  });
});
