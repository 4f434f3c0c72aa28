/**
 * Issue 15: Baileys rewrites what it already has on every login. Such writes change nothing: no
 * generation bump, no disk write, no upload — unless a write-through failed before, when a rewrite
 * is what brings the folder back in step with memory. And the folder load (sync since issue 15)
 * still cleans crash leftovers and reads every auth file of a paired-size folder.
 */
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
  const d = await mkdtemp(join(tmpdir(), 'wa-auth-same-'));
  dirs.push(d);
  return new AuthFolder(join(d, 'sessions', 's1'));
}

const ME = { id: '15550001111:1@s.whatsapp.net', lid: '999:1@lid' };

/** A store as a restart sees it: loaded from a folder whose content was uploaded as generation 3. */
async function restarted(f: AuthFolder): Promise<{ store: AuthStore; changes: () => number }> {
  const first = new AuthStore(f, new Map(), { current: 2, uploaded: 2 }, logger);
  await first.saveCreds({ me: ME });
  await first.keys.set({ 'device-list': { '15550001111': ['1'] }, 'lid-mapping': { '15550001111': '999' } });
  const loaded = await f.load();
  expect(loaded.label.generation).toBe(3);
  const store = new AuthStore(f, loaded.files, { current: 3, uploaded: 3 }, logger);
  let count = 0;
  store.onChange(() => count++);
  return { store, changes: () => count };
}

describe('auth writes that change nothing (issue 15)', () => {
  it('a login rewriting the same creds and keys bumps no generation, writes no file and asks for no upload', async () => {
    const f = await folder();
    const { store, changes } = await restarted(f);
    const credsBefore = await stat(join(f.dir, 'creds.json'));
    const labelBefore = await readFile(join(f.dir, 'generation.json'), 'utf8');

    // What Baileys does on every `CB:success`: `me` with the LID it already has, the same device list and mapping.
    await store.saveCreds({ me: { ...store.creds.me!, lid: ME.lid } });
    await store.keys.set({ 'device-list': { '15550001111': ['1'] }, 'lid-mapping': { '15550001111': '999' } });
    await store.keys.set({ 'pre-key': { '77': null } }); // deleting what is not there
    await store.idle();

    expect(store.ledger.current).toBe(3);
    expect(store.ledger.needsUpload).toBe(false);
    expect(changes()).toBe(0);
    expect((await stat(join(f.dir, 'creds.json'))).ino).toBe(credsBefore.ino); // not replaced by an atomic write
    expect(await readFile(join(f.dir, 'generation.json'), 'utf8')).toBe(labelBefore);
  });

  it('a real change among same-byte writes is written and labelled as before', async () => {
    const f = await folder();
    const { store, changes } = await restarted(f);
    await store.keys.set({ 'device-list': { '15550001111': ['1'] }, 'lid-mapping': { '15550001111': '1000' } });
    await store.idle();
    expect(store.ledger.current).toBe(4);
    expect(store.ledger.needsUpload).toBe(true);
    expect(changes()).toBe(1);
    expect(JSON.parse(await readFile(join(f.dir, 'lid-mapping-15550001111.json'), 'utf8'))).toBe('1000');
    expect(JSON.parse(await readFile(join(f.dir, 'generation.json'), 'utf8'))).toMatchObject({ generation: 4 });
  });

  it('after a failed write-through, the same bytes are written again: the folder catches up with memory', async () => {
    const f = await folder();
    const { store } = await restarted(f);
    // A file stands where the folder was (a disk fault): the write-through fails, memory is ahead.
    const away = `${f.dir}.away`;
    await rename(f.dir, away);
    await writeFile(f.dir, 'not a folder');
    await expect(store.keys.set({ 'lid-mapping': { '15550001111': '1000' } })).rejects.toThrow();
    await rm(f.dir);
    await rename(away, f.dir);
    expect(JSON.parse(await readFile(join(f.dir, 'lid-mapping-15550001111.json'), 'utf8'))).toBe('999');

    await store.keys.set({ 'lid-mapping': { '15550001111': '1000' } }); // the same bytes memory already holds
    await store.idle();
    expect(JSON.parse(await readFile(join(f.dir, 'lid-mapping-15550001111.json'), 'utf8'))).toBe('1000');
    // The label the failed write lost is written with it: content newer than the uploaded
    // generation 3 must not read as generation 3 at the next start (a tie would skip its upload).
    expect(store.ledger.current).toBe(4);
    expect(JSON.parse(await readFile(join(f.dir, 'generation.json'), 'utf8'))).toMatchObject({ generation: 4 });
  });

  it('the folder load reads every file of a paired-size folder and drops atomic-write leftovers', async () => {
    const f = await folder();
    const store = new AuthStore(f, new Map(), { current: 0, uploaded: 0 }, logger);
    const preKeys = Object.fromEntries(Array.from({ length: 812 }, (_, i) => [String(i + 1), { public: Buffer.from([i & 255]), private: Buffer.from([7]) }]));
    await store.keys.set({ 'pre-key': preKeys });
    await store.saveCreds({ me: ME });
    const leftover = (await readdirNames(f.dir)).length;
    await writeFile(join(f.dir, '.creds.json.123-abc.tmp'), 'torn');
    const loaded = await f.load();
    expect(loaded.files.size).toBe(813);
    expect(loaded.files.get('pre-key-812.json')?.equals(store.snapshotFiles().get('pre-key-812.json')!)).toBe(true);
    expect((await readdirNames(f.dir)).length).toBe(leftover);
  });
});

async function readdirNames(dir: string): Promise<string[]> {
  return (await import('node:fs/promises')).readdir(dir);
}
