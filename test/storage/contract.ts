import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { StorageSettings } from '../../src/ipc/protocol.js';
import { createBackend, createSnapshotStore, encodeSnapshot, toEncryptionKeys, type ObjectSnapshotStore, type StorageOperation } from '../../src/storage/index.js';
import type { ObjectBackend } from '../../src/storage/backend/types.js';
import { legacyKey, pointerKey, sessionPrefix, snapshotKey } from '../../src/storage/layout.js';
import type { AuthFiles } from '../../src/storage/types.js';
import type { FaultProxy } from '../support/s3/fault-proxy.js';
import { expectSameFiles, pairing, realisticAuthFolder, smallAuthFolder } from './fixtures/auth-folder.js';
import { lineageOf } from '../../src/storage/lineage.js';
import { encodePointer } from '../../src/storage/pointer.js';

/**
 * One behavioural contract, run against every driver: the local folder, s3rver in-process, and
 * OpenStack Swift with s3api. Each test uses its own session ids, so tests never see each other.
 */
export interface StoreHarness {
  name: string;
  settings: StorageSettings;
  /** Pre-keys in the legacy folder: >1,000 exercises paginated listings. */
  legacyPreKeys: number;
  /** S3 drivers: a fault proxy in front of the same server, and the same server with bad credentials. */
  network?: {
    proxy: FaultProxy;
    viaProxy: StorageSettings;
    wrongCredentials: StorageSettings;
    bucket: string;
  };
}

const FAST_RETRY = { retries: 2, minDelayMs: 20, maxDelayMs: 100 };
let counter = 0;
const sid = (label: string) => `${label}-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`;

export function defineStoreContract(harness: () => StoreHarness): void {
  const opened: { close(): Promise<void> }[] = [];
  const store = (options: { settings?: StorageSettings; keys?: Buffer[]; onOperation?: (op: StorageOperation) => void; timeoutMs?: number } = {}): ObjectSnapshotStore => {
    const s = createSnapshotStore(options.settings ?? harness().settings, {
      workerId: 'worker-test',
      encryptionKeys: options.keys ?? [],
      timeoutMs: options.timeoutMs ?? 10_000,
      retry: FAST_RETRY,
      ...(options.onOperation ? { onOperation: options.onOperation } : {}),
    });
    opened.push(s);
    return s;
  };
  const raw = (): ObjectBackend => {
    const b = createBackend(harness().settings, 10_000);
    opened.push(b);
    return b;
  };
  afterAll(async () => {
    await Promise.all(opened.map((o) => o.close()));
  });

  describe('publication and reading', () => {
    it('round-trips a snapshot and reports its manifest', async () => {
      const s = store();
      const id = sid('rt');
      const files = smallAuthFolder('rt');
      expect(await s.readNewest(id)).toBeNull();
      expect(await s.headGeneration(id)).toBeNull();
      const meta = await s.putSnapshot(id, 1, files);
      expect(meta).toMatchObject({ sessionId: id, generation: 1, workerId: 'worker-test', fileCount: 3 });
      const read = await s.readNewest(id);
      expect(read?.source).toBe('snapshot');
      expect(read?.skipped).toEqual([]);
      expect(read?.meta).toEqual(meta);
      expect(expectSameFiles(read!.files, files)).toBe(true);
      expect(await s.headGeneration(id)).toBe(1);
    });

    it('stores ids outside [A-Za-z0-9_-] under safe keys and lists them back by id', async () => {
      const s = store();
      const tag = sid('odd');
      // A dot segment, spaces and a quote, non-ASCII, and one long enough to take the hashed name.
      const ids = [`..${tag}`, `My Shop's line ${tag}`, `café-ünï-${tag}`, `${'😀'.repeat(50)}${tag}`];
      for (const id of ids) await s.putSnapshot(id, 1, smallAuthFolder(id));
      const keys = await raw().list('sessions/');
      for (const key of keys.filter((k) => k.includes(tag.slice(-6)))) expect(key).toMatch(/^sessions\/[A-Za-z0-9_~-]+\/(pointer\.json|snapshots\/\d{12}\.snap)$/);
      for (const id of ids) expect((await s.readNewest(id))?.meta.sessionId).toBe(id);
      const listed = await s.listSessions();
      for (const id of ids) expect(listed).toContain(id);
      for (const id of ids) await s.deleteSession(id);
      expect((await s.listSessions()).filter((id) => id.includes(tag))).toEqual([]);
    });

    it('keeps only the last 3 generations and reads the newest', async () => {
      const s = store();
      const id = sid('keep3');
      for (let g = 1; g <= 5; g++) await s.putSnapshot(id, g, smallAuthFolder(`g${g}`));
      expect(await s.listGenerations(id)).toEqual([5, 4, 3]);
      const read = await s.readNewest(id);
      expect(read?.meta.generation).toBe(5);
      expect(read?.files.get('creds.json')?.toString()).toContain('"g5"');
    });

    it('refuses to publish a generation older than the published one', async () => {
      const s = store();
      const id = sid('stale');
      await s.putSnapshot(id, 4, smallAuthFolder('four'));
      await expect(s.putSnapshot(id, 3, smallAuthFolder('three'))).rejects.toMatchObject({ code: 'STORAGE_STALE_GENERATION' });
      // Same generation again is an idempotent re-publish.
      await s.putSnapshot(id, 4, smallAuthFolder('four-again'));
      expect((await s.readNewest(id))?.files.get('creds.json')?.toString()).toContain('four-again');
    });

    it('a crash between the snapshot write and the pointer write: a complete object of the same pairing is the head, another pairing\'s never', async () => {
      const s = store();
      const id = sid('crash');
      const mine = pairing();
      await s.putSnapshot(id, 1, mine('one'));
      // Exactly what a crash after the first write leaves behind: a complete object for
      // generation 3 of another pairing, and the pointer still naming generation 1 — ignored.
      const foreign = encodeSnapshot({ sessionId: id, generation: 3, workerId: 'crashed', files: pairing()('other') });
      await raw().put(snapshotKey(id, 3), foreign.blob);
      expect(await s.head(id)).toEqual({ generation: 1, lineage: lineageOf(mine('one')) });
      expect((await s.readNewest(id))?.files.get('creds.json')?.toString()).toContain('"one"');
      // A complete orphan of the same pairing is newer state of it, checked like any object: it is the head.
      const orphan = encodeSnapshot({ sessionId: id, generation: 2, workerId: 'crashed', files: mine('two') });
      await raw().put(snapshotKey(id, 2), orphan.blob);
      expect(await s.headGeneration(id)).toBe(2);
      expect((await s.readNewest(id))?.files.get('creds.json')?.toString()).toContain('"two"');
      // The host then publishes 2 for real, over the orphan.
      await s.putSnapshot(id, 2, mine('two-for-real'));
      expect((await s.readNewest(id))?.files.get('creds.json')?.toString()).toContain('two-for-real');
    });

    it('a corrupted newest generation falls back to the previous one, says so, and repairs the head', async () => {
      const s = store();
      const id = sid('corrupt');
      for (let g = 1; g <= 3; g++) await s.putSnapshot(id, g, smallAuthFolder(`g${g}`));
      const r = raw();
      const blob = (await r.get(snapshotKey(id, 3)))!;
      blob[Math.floor(blob.length / 2)] ^= 0xff;
      await r.put(snapshotKey(id, 3), blob);

      const read = await s.readNewest(id);
      expect(read?.skipped).toEqual([{ generation: 3, code: 'SNAPSHOT_CHECKSUM_MISMATCH' }]);
      expect(read?.files.get('creds.json')?.toString()).toContain('"g2"');
      // Re-published as a new head, so the next reader does not trip and generations stay monotonic.
      expect(read?.meta.generation).toBe(4);
      const again = await s.readNewest(id);
      expect(again?.skipped).toEqual([]);
      expect(again?.meta.generation).toBe(4);
      expect(again?.files.get('creds.json')?.toString()).toContain('"g2"');
    });

    it('a truncated newest generation falls back too; all unreadable is an error, never "no auth"', async () => {
      const s = store();
      const id = sid('trunc');
      await s.putSnapshot(id, 1, smallAuthFolder('g1'));
      await s.putSnapshot(id, 2, smallAuthFolder('g2'));
      const r = raw();
      const two = (await r.get(snapshotKey(id, 2)))!;
      await r.put(snapshotKey(id, 2), two.subarray(0, two.length - 10));
      const read = await s.readNewest(id);
      expect(read?.skipped).toEqual([{ generation: 2, code: 'SNAPSHOT_TRUNCATED' }]);
      expect(read?.files.get('creds.json')?.toString()).toContain('"g1"');

      const id2 = sid('allbad');
      await s.putSnapshot(id2, 1, smallAuthFolder('x'));
      await r.put(snapshotKey(id2, 1), Buffer.from('garbage'));
      await expect(s.readNewest(id2)).rejects.toMatchObject({ code: 'STORAGE_NO_READABLE_SNAPSHOT' });
    });

    it('encrypts at rest and reads across a key rotation', async () => {
      const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
      const id = sid('enc');
      const files = smallAuthFolder('enc-marker');
      const meta = await store({ keys: [oldKey] }).putSnapshot(id, 1, files);
      expect(meta.keyId).toBe(toEncryptionKeys([oldKey])[0]!.id);
      const stored = (await raw().get(snapshotKey(id, 1)))!;
      expect(stored.includes(Buffer.from('enc-marker'))).toBe(false);

      const rotated = store({ keys: [newKey, oldKey] });
      expect(expectSameFiles((await rotated.readNewest(id))!.files, files)).toBe(true);
      const next = await rotated.putSnapshot(id, 2, files);
      expect(next.keyId).toBe(toEncryptionKeys([newKey])[0]!.id);

      const onlyOld = store({ keys: [oldKey] });
      const fallback = await onlyOld.readNewest(id);
      expect(fallback?.skipped).toEqual([{ generation: 2, code: 'SNAPSHOT_WRONG_KEY' }]);

      const noKeys = sid('enc-none');
      await store({ keys: [newKey] }).putSnapshot(noKeys, 1, files);
      await expect(store().readNewest(noKeys)).rejects.toMatchObject({ code: 'STORAGE_NO_READABLE_SNAPSHOT', details: { skipped: [{ generation: 1, code: 'SNAPSHOT_WRONG_KEY' }] } });
    });
  });

  describe('lineage: generations compare only within one pairing', () => {
    it('a state of another pairing never replaces the head, whatever its generation', async () => {
      const s = store();
      const id = sid('foreign');
      const dead = pairing();
      const live = pairing();
      await s.putSnapshot(id, 57, dead('57'));
      await s.deleteSession(id); // logout: generations restart
      await s.putSnapshot(id, 2, live('2'));
      await expect(s.putSnapshot(id, 57, dead('57-again'))).rejects.toMatchObject({ code: 'STORAGE_FOREIGN_LINEAGE' });
      expect(await s.head(id)).toEqual({ generation: 2, lineage: lineageOf(live('x')) });
      expect(await s.listGenerations(id)).toEqual([2]);
      // Same pairing: behind is stale, equal or ahead publishes.
      await expect(s.putSnapshot(id, 1, live('1'))).rejects.toMatchObject({ code: 'STORAGE_STALE_GENERATION' });
      await s.putSnapshot(id, 3, live('3'));
      expect((await s.readNewest(id))?.meta).toMatchObject({ generation: 3, lineage: lineageOf(live('x')) });
    });

    it('deleteLineage deletes only one pairing\'s snapshots (what a 401 does)', async () => {
      const s = store();
      const id = sid('del-lineage');
      const dead = pairing();
      const live = pairing();
      for (const g of [1, 2]) await s.putSnapshot(id, g, live(String(g)));
      // Leftovers of the dead pairing above the live head (their deletion at logout failed).
      for (const g of [55, 56]) await raw().put(snapshotKey(id, g), encodeSnapshot({ sessionId: id, generation: g, workerId: 'a', files: dead(String(g)) }).blob);
      expect(await s.head(id)).toEqual({ generation: 2, lineage: lineageOf(live('x')) });
      expect(await s.deleteLineage(id, lineageOf(dead('x'))!)).toEqual({ deleted: 2, kept: 3 });
      expect(await s.listGenerations(id)).toEqual([2, 1]);
      expect((await s.readNewest(id))?.files.get('creds.json')?.toString()).toContain('"2"');
      expect(await s.deleteLineage(id, lineageOf(live('x'))!)).toEqual({ deleted: 3, kept: 0 });
      expect(await s.head(id)).toBeNull();
    });

    it('a pointer written late (naming an older generation) never moves the head backwards', async () => {
      const s = store();
      const id = sid('late-pointer');
      const mine = pairing();
      let meta2;
      for (const g of [1, 2, 3]) {
        const meta = await s.putSnapshot(id, g, mine(String(g)));
        if (g === 2) meta2 = meta;
      }
      // What a late delivery of generation 2's pointer PUT leaves: the pointer naming 2, object 3 complete.
      await raw().put(pointerKey(id), encodePointer(meta2!, snapshotKey(id, 2)));
      expect(await s.headGeneration(id)).toBe(3);
      expect((await s.readNewest(id))?.files.get('creds.json')?.toString()).toContain('"3"');
      await expect(s.putSnapshot(id, 2, mine('2-again'))).rejects.toMatchObject({ code: 'STORAGE_STALE_GENERATION' });
      await s.putSnapshot(id, 4, mine('4'));
      expect(await s.headGeneration(id)).toBe(4);
    });
  });

  describe('deadlines', () => {
    it('a call whose AbortSignal fired never takes effect (the driver tears the request down)', async () => {
      const b = raw();
      const key = snapshotKey(sid('aborted'), 1);
      const gone = new AbortController();
      gone.abort(new Error('deadline passed'));
      await expect(b.put(key, Buffer.from('late'), gone.signal)).rejects.toBeTruthy();
      expect(await b.get(key)).toBeNull();
      await b.put(key, Buffer.from('kept'));
      await expect(b.get(key, gone.signal)).rejects.toBeTruthy();
      expect((await b.get(key))?.toString()).toBe('kept');
    });
  });

  describe('prefix safety', () => {
    it('sessions abc and abc2 never touch each other', async () => {
      const s = store();
      const abc = sid('p');
      const abc2 = `${abc}2`;
      await s.putSnapshot(abc, 1, smallAuthFolder('abc'));
      for (let g = 1; g <= 4; g++) await s.putSnapshot(abc2, g, smallAuthFolder('abc2'));
      expect(await s.listGenerations(abc)).toEqual([1]);
      expect(await s.listGenerations(abc2)).toEqual([4, 3, 2]);

      await s.deleteSession(abc);
      expect(await s.readNewest(abc)).toBeNull();
      expect(await s.listGenerations(abc)).toEqual([]);
      const other = await s.readNewest(abc2);
      expect(other?.meta.generation).toBe(4);
      expect(other?.files.get('creds.json')?.toString()).toContain('"abc2"');

      // Legacy files of abc2 are not abc's either.
      const r = raw();
      await r.put(legacyKey(abc2, 'creds.json'), Buffer.from('{"legacy":"abc2"}'));
      expect(await s.readNewest(abc)).toBeNull();
      const sessions = await s.listSessions();
      expect(sessions).toContain(abc2);
      expect(sessions).not.toContain(abc);
    });

    it('rejects invalid session ids before any I/O', async () => {
      const ops: StorageOperation[] = [];
      const s = store({ onOperation: (op) => ops.push(op) });
      for (const bad of ['../etc', 'a/b', '', 'x'.repeat(161), 'abc/', 'a\\b', 'a\u0000b']) {
        await expect(s.readNewest(bad)).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
        await expect(s.deleteSession(bad)).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
        await expect(s.putSnapshot(bad, 1, new Map())).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
      }
      expect(ops).toEqual([]);
    });
  });

  describe('legacy import', () => {
    it('imports the original worker layout as generation 1 and leaves the legacy objects untouched', async () => {
      const h = harness();
      const s = store();
      const id = sid('legacy');
      const legacy: AuthFiles = realisticAuthFolder({ preKeys: h.legacyPreKeys, sessions: 5 });
      const r = raw();
      const names = [...legacy.keys()];
      for (let i = 0; i < names.length; i += 32) {
        await Promise.all(names.slice(i, i + 32).map((name) => r.put(legacyKey(id, name), legacy.get(name)!)));
      }
      const before = await r.list(sessionPrefix(id));
      expect(before).toHaveLength(legacy.size);
      expect(await s.headGeneration(id)).toBeNull();

      const read = await s.readNewest(id);
      expect(read?.source).toBe('legacy');
      expect(read?.meta.generation).toBe(1);
      expect(expectSameFiles(read!.files, legacy)).toBe(true);

      const after = await r.list(sessionPrefix(id));
      expect(after.filter((k) => !k.includes('/snapshots/') && k !== pointerKey(id))).toEqual(before);
      expect((await r.get(legacyKey(id, 'creds.json')))!.equals(legacy.get('creds.json')!)).toBe(true);

      const second = await s.readNewest(id);
      expect(second?.source).toBe('snapshot');
      expect(second?.meta.generation).toBe(1);
      expect(expectSameFiles(second!.files, legacy)).toBe(true);

      // deleteSession removes everything of the session, legacy objects included.
      await s.deleteSession(id);
      expect(await r.list(sessionPrefix(id))).toEqual([]);
    });

    it('ignores a legacy folder without creds.json', async () => {
      const id = sid('nocreds');
      await raw().put(legacyKey(id, 'pre-key-1.json'), Buffer.from('{}'));
      expect(await store().readNewest(id)).toBeNull();
    });
  });

  describe('metrics hook', () => {
    it('reports every operation with duration, bytes and failure code', async () => {
      const ops: StorageOperation[] = [];
      const s = store({ onOperation: (op) => ops.push(op) });
      const id = sid('metrics');
      const meta = await s.putSnapshot(id, 2, smallAuthFolder('m'));
      await s.readNewest(id);
      await expect(s.putSnapshot(id, 1, new Map())).rejects.toBeTruthy();
      expect(ops.map((o) => [o.op, o.ok])).toEqual([
        ['put_snapshot', true],
        ['read_newest', true],
        ['put_snapshot', false],
      ]);
      expect(ops[0]!.bytes).toBeGreaterThan(meta.bytes);
      expect(ops[1]!.bytes).toBeGreaterThanOrEqual(meta.bytes);
      expect(ops[0]!.durationMs).toBeGreaterThan(0);
      expect(ops[2]!.errorCode).toBe('STORAGE_STALE_GENERATION');
    });
  });

  describe('network failures (S3 drivers)', () => {
    it('wrong credentials give a clear, non-retried error', async (ctx) => {
      const net = harness().network;
      if (!net) return ctx.skip();
      const s = store({ settings: net.wrongCredentials });
      const started = Date.now();
      const err = await s.readNewest(sid('creds')).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'STORAGE_AUTH_FAILED' });
      expect((err as Error).message).toMatch(/rejected the credentials/);
      expect((err as Error).message).not.toContain((net.wrongCredentials as { secretKey: string }).secretKey);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('a server that dies mid-upload leaves the previous generation readable', async (ctx) => {
      const net = harness().network;
      if (!net) return ctx.skip();
      const s = store({ settings: net.viaProxy });
      const id = sid('die');
      await s.putSnapshot(id, 1, smallAuthFolder('before'));
      const died = net.proxy.dieDuring(`PUT /${net.bucket}/sessions/${id}/snapshots/`);
      const big = realisticAuthFolder({ preKeys: 300, sessions: 2 });
      const failed = s.putSnapshot(id, 2, big).catch((e: unknown) => e);
      await died;
      expect(await failed).toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      await net.proxy.revive();
      const read = await s.readNewest(id);
      expect(read?.meta.generation).toBe(1);
      expect(read?.skipped).toEqual([]);
      expect(read?.files.get('creds.json')?.toString()).toContain('"before"');
    });

    it('a server that never answers times out with STORAGE_TIMEOUT', async (ctx) => {
      const net = harness().network;
      if (!net) return ctx.skip();
      const s = store({ settings: net.viaProxy, timeoutMs: 300 });
      net.proxy.hang(true);
      try {
        await expect(s.headGeneration(sid('hang'))).rejects.toMatchObject({ code: 'STORAGE_TIMEOUT' });
      } finally {
        net.proxy.hang(false);
      }
    });

    it('a pointer PUT a slow front delivers after the timeout never moves the head backwards', async (ctx) => {
      const net = harness().network;
      if (!net) return ctx.skip();
      const s = store({ settings: net.viaProxy, timeoutMs: 800 });
      const id = sid('slow-front');
      const mine = pairing();
      await s.putSnapshot(id, 1, mine('1'));
      // The front holds generation 2's pointer PUT for 2.5 s and then delivers it whatever the client did.
      const late = net.proxy.delayNext(`PUT /${net.bucket}/${pointerKey(id)}`, 2_500, 'forward');
      await s.putSnapshot(id, 2, mine('2')); // the attempt times out; the retry publishes
      await s.putSnapshot(id, 3, mine('3'));
      expect(await late).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(await s.headGeneration(id)).toBe(3);
      expect((await s.readNewest(id))?.files.get('creds.json')?.toString()).toContain('"3"');
      // The next publish reads 3 as the head, whatever the pointer object says.
      await expect(s.putSnapshot(id, 2, mine('2-late'))).rejects.toMatchObject({ code: 'STORAGE_STALE_GENERATION' });
    });

    it('a timed-out pointer PUT is aborted: a front that has not dispatched it drops it', async (ctx) => {
      const net = harness().network;
      if (!net) return ctx.skip();
      const s = store({ settings: net.viaProxy, timeoutMs: 800 });
      const id = sid('abort');
      const mine = pairing();
      await s.putSnapshot(id, 1, mine('1'));
      const late = net.proxy.delayNext(`PUT /${net.bucket}/${pointerKey(id)}`, 2_000, 'drop');
      await s.putSnapshot(id, 2, mine('2'));
      await s.putSnapshot(id, 3, mine('3'));
      expect(await late).toBe(false);
      expect(await s.headGeneration(id)).toBe(3);
    });

    it('an unreachable server is STORAGE_UNAVAILABLE after retries, and ping says so', async (ctx) => {
      const net = harness().network;
      if (!net) return ctx.skip();
      const s = store({ settings: net.viaProxy });
      await net.proxy.kill();
      try {
        await expect(s.readNewest(sid('down'))).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
        await expect(s.ping()).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
      } finally {
        await net.proxy.revive();
      }
      await s.ping();
    });
  });
}
