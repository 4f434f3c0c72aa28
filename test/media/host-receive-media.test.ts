import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage, MessageInMessage, StorageSettings } from '../../src/ipc/protocol.js';
import { MediaStore } from '../../src/media/media-store.js';
import { FaultProxy } from '../support/s3/fault-proxy.js';
import { minioSettings, startS3rver, type RunningS3rver } from '../support/s3/s3rver-server.js';
import { useSimEnv } from '../session-host/sim-env.js';

/**
 * A contact's media reaching a real session host (issue 14 §4), with the faults that matter: a
 * medium over the limit and the storage server gone. The message is never held back or dropped:
 * it arrives with `mediaError`, and the next medium is stored once storage is back.
 */
const env = useSimEnv();
let s3: RunningS3rver;
let n = 0;
const MB = 1024 * 1024;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.close();
});

const photo = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i * seed + 3) % 256));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function connected(storage: (dataDir: string) => StorageSettings, maxBytes = 8 * MB) {
  n++;
  const phone = `1555020${String(1000 + n)}`;
  const sessionId = `media-in-${n}`;
  const dataDir = await env.tempDir();
  const h = env.host(sessionId, dataDir, { storage: storage(dataDir), storageTimeoutMs: 1_500, media: { allowPrivateUrls: false, maxBytes, fetchTimeoutMs: 10_000, publicBaseUrl: 'http://worker.test:3001' } });
  await env.pair(h, phone);
  return { h, phone, sessionId, dataDir };
}

async function incoming(h: Awaited<ReturnType<typeof connected>>['h'], id: string): Promise<IncomingMessage> {
  const m = await h.waitFor((x): x is MessageInMessage => x.type === 'message-in' && x.messages.some((y) => y.id === id), 30_000);
  return m.messages.find((y) => y.id === id)!;
}

describe('incoming media in a session host', () => {
  it('stored locally and referenced; a medium over MEDIA_MAX_BYTES arrives with mediaError, in order', async () => {
    const { h, phone, sessionId, dataDir } = await connected((dataDir) => ({ driver: 'local', dataDir }), 20_000);
    const small = photo(12_345, 7);
    const [first] = await env.sim.deliverMedia('15550007777', phone, { type: 'document', data: small, mimetype: 'application/pdf', fileName: 'a.pdf' });
    const [big] = await env.sim.deliverMedia('15550007777', phone, { type: 'image', data: photo(30_000, 11), mimetype: 'image/jpeg' });
    await env.sim.deliverText('15550007777', phone, 'after the media');

    const doc = await incoming(h, first!);
    expect(doc).toMatchObject({ type: 'document', media: { mimetype: 'application/pdf', size: small.length, sha256: sha(small), url: `http://worker.test:3001/api/sessions/${sessionId}/media/${first}` } });
    const stored = await MediaStore.create({ driver: 'local', dataDir }, { timeoutMs: 2_000 }).get(sessionId, first!);
    expect(stored?.data.equals(small)).toBe(true);

    const refused = await incoming(h, big!);
    expect(refused.media).toBeUndefined();
    expect(refused.mediaError).toBe('MEDIA_TOO_LARGE');
    // Order kept: the text behind the media batches came after them.
    const order = h.of('message-in').flatMap((m) => m.messages.map((x) => x.text ?? x.id));
    expect(order.indexOf('after the media')).toBeGreaterThan(order.indexOf(big!));
    expect(order.indexOf(big!)).toBeGreaterThan(order.indexOf(first!));
  });

  it('storage down: the message arrives with mediaError; storage back: the next medium is stored', async () => {
    const proxy = new FaultProxy({ host: s3.host, port: s3.port });
    await proxy.start();
    try {
      const minio = (): StorageSettings => minioSettings(s3, { port: proxy.port });
      const { h, phone, sessionId } = await connected(minio);
      await proxy.kill();
      const lost = photo(5_000, 5);
      const [id1] = await env.sim.deliverMedia('15550006666', phone, { type: 'image', data: lost, mimetype: 'image/png', caption: 'while storage is down' });
      const down = await incoming(h, id1!);
      expect(down).toMatchObject({ type: 'image', text: 'while storage is down' });
      expect(down.media).toBeUndefined();
      expect(down.mediaError).toMatch(/^STORAGE_/);

      await proxy.revive();
      const kept = photo(6_000, 9);
      const [id2] = await env.sim.deliverMedia('15550006666', phone, { type: 'image', data: kept, mimetype: 'image/png' });
      const up = await incoming(h, id2!);
      expect(up.media).toMatchObject({ size: kept.length, sha256: sha(kept) });
      const store = MediaStore.create(minio(), { timeoutMs: 2_000 });
      expect((await store.get(sessionId, id2!))?.data.equals(kept)).toBe(true);
      await store.close();
    } finally {
      await proxy.close();
    }
  });
});
