import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptedStream, getMediaKeys, type WAMessage } from '@whiskeysockets/baileys';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from '../../src/ipc/protocol.js';
import { MediaStore, mediaKeyBase } from '../../src/media/media-store.js';
import { IncomingQueue } from '../../session-host/incoming-queue.js';
import { decryptMedia } from '../../session-host/media/wa-media-crypto.js';

/** The pure and local parts of incoming media (issue 14 §4), without a socket. */
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('decryptMedia against what Baileys itself encrypts', () => {
  async function baileysEncrypted(data: Buffer) {
    const enc = await encryptedStream(data, 'image');
    const blob = await readFile(enc.encFilePath);
    await rm(enc.encFilePath, { force: true });
    const keys = (await getMediaKeys(enc.mediaKey, 'image')) as { iv: Buffer; cipherKey: Buffer; macKey: Buffer };
    return { blob, keys, expected: { fileSha256: enc.fileSha256, fileEncSha256: enc.fileEncSha256 } };
  }
  const data = Buffer.from(Array.from({ length: 10_007 }, (_, i) => (i * 17) % 256));

  it('decrypts byte-identical', async () => {
    const { blob, keys, expected } = await baileysEncrypted(data);
    expect(decryptMedia(blob, keys, expected).equals(data)).toBe(true);
  });

  it.each([
    ['a flipped ciphertext byte', (b: Buffer) => ((b[5] = b[5]! ^ 1), b), /fileEncSha256/],
    ['a truncated blob', (b: Buffer) => b.subarray(0, b.length - 16), /fileEncSha256|length/],
    ['a blob of another medium', () => Buffer.alloc(64 + 10), /fileEncSha256/],
  ])('refuses %s (MEDIA_INVALID)', async (_, tamper, message) => {
    const { blob, keys, expected } = await baileysEncrypted(data);
    expect(() => decryptMedia(tamper(Buffer.from(blob)), keys, expected)).toThrow(message);
    try {
      decryptMedia(tamper(Buffer.from(blob)), keys, expected);
    } catch (err) {
      expect((err as { code: string }).code).toBe('MEDIA_INVALID');
    }
  });

  it('checks the MAC even when the message names no hashes', async () => {
    const { blob, keys } = await baileysEncrypted(data);
    const bad = Buffer.from(blob);
    bad[0] = bad[0]! ^ 0xff;
    expect(() => decryptMedia(bad, keys, {})).toThrow(/MAC/);
  });

  it('refuses a medium whose plain hash differs from what the message said', async () => {
    const { blob, keys, expected } = await baileysEncrypted(data);
    expect(() => decryptMedia(blob, keys, { ...expected, fileSha256: Buffer.alloc(32) })).toThrow(/fileSha256/);
  });
});

describe('IncomingQueue', () => {
  const msg = (id: string, type: IncomingMessage['type']): IncomingMessage => ({ id, from: 'x@s.whatsapp.net', timestamp: new Date(0).toISOString(), type });

  it('reports text at once, and keeps later batches behind a medium still downloading', async () => {
    const reported: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let loads = 0;
    const queue = new IncomingQueue(
      (ms) => reported.push(ms.map((m) => `${m.id}${m.media ? '+media' : ''}`)),
      async () => {
        loads++;
        return async (ms) => {
          await gate;
          return ms.map((m) => (m.type === 'image' ? { ...m, media: { mimetype: 'image/jpeg', size: 1, sha256: '0'.repeat(64), url: '/u' } } : m));
        };
      },
    );
    queue.push([msg('t1', 'text')], [] as WAMessage[]);
    expect(reported).toEqual([['t1']]);
    queue.push([msg('i1', 'image')], []);
    queue.push([msg('t2', 'text')], []);
    await new Promise((r) => setTimeout(r, 20));
    expect(reported).toEqual([['t1']]);
    release();
    await queue.idle();
    expect(reported).toEqual([['t1'], ['i1+media'], ['t2']]);
    queue.push([msg('t3', 'text')], []);
    expect(reported.at(-1)).toEqual(['t3']);
    expect(loads).toBe(1);
  });

  it('a broken enrich still reports the messages (never a silent drop)', async () => {
    const reported: string[] = [];
    const queue = new IncomingQueue((ms) => reported.push(...ms.map((m) => m.id)), async () => async () => {
      throw new Error('bug');
    });
    queue.push([msg('i1', 'image')], []);
    await queue.idle();
    expect(reported).toEqual(['i1']);
  });
});

describe('MediaStore (local driver)', () => {
  it('stores under DATA_DIR/storage/media/<session>/ and reads back; a sender-chosen id never becomes a path', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wa-media-store-'));
    dirs.push(dataDir);
    const store = MediaStore.create({ driver: 'local', dataDir }, { timeoutMs: 2_000 });
    const bytes = Buffer.from('hello media');
    const info = await store.put('s1', '3EB0ABC', bytes, 'image/png');
    expect(info).toMatchObject({ mimetype: 'image/png', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(await readFile(join(dataDir, 'storage', 'media', 's1', '3EB0ABC.bin'))).toEqual(bytes);
    expect((await store.get('s1', '3EB0ABC'))?.data.equals(bytes)).toBe(true);
    expect(await store.get('s1', 'missing')).toBeNull();
    expect(await store.get('s2', '3EB0ABC')).toBeNull();
    expect(mediaKeyBase('s1', '../../etc/passwd')).toMatch(/^media\/s1\/h-[0-9a-f]{64}$/);
    await store.put('s1', '../x', bytes, 'text/plain');
    expect((await store.get('s1', '../x'))?.data.equals(bytes)).toBe(true);
    await store.deleteSession('s1');
    expect(await store.get('s1', '3EB0ABC')).toBeNull();
    await store.close();
  });
});
