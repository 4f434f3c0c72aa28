/**
 * Issue 14 §4, end to end with every part real: the compiled supervisor as its own process, real
 * Baileys hosts on the simulator (whose media host is HTTPS on loopback, trusted through
 * NODE_EXTRA_CA_CERTS), auth snapshots and media on S3 (s3rver, minio driver), and the fake
 * backend validating every body (the `media` reference strictly).
 *   - an image sent through the API is decrypted by the simulated contact byte-identical;
 *   - an image from the contact reaches the backend as a downloadable reference with the right hash.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMedia } from '../../src/ipc/protocol.js';
import type { SimMedia } from '../wa-sim/index.js';
import { waitFor } from '../supervisor/support/journal.js';
import { startOneSessionWorld } from './support/one-session.js';
import { api, type E2ESession } from './support/sessions.js';
import { TOKEN, type World } from './support/world.js';
import type { E2EWorker } from './support/worker.js';

const CONTACT = '15550505999';
const IMAGE = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.from(Array.from({ length: 120_000 }, (_, i) => (i * 37 + 11) % 256))]);

let world: World;
let session: E2ESession;
let worker: E2EWorker;
let files: Server;
let filesUrl: string;

beforeAll(async () => {
  files = createServer((req, res) => (req.url === '/photo.jpg' ? res.writeHead(200, { 'content-type': 'image/jpeg' }).end(IMAGE) : res.writeHead(404).end()));
  files.listen(0, '127.0.0.1');
  await once(files, 'listening');
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  // The image server is on loopback: the operator opts in (the default refuses it, see test/media).
  ({ world, session, worker } = await startOneSessionWorld('media', { prefix: 'med', phone: 15550505001, contacts: [CONTACT], env: { MEDIA_ALLOW_PRIVATE_URLS: 'true' } }));
}, 150_000);

afterAll(async () => {
  await world?.close(session ? [session.sessionId] : []);
  await new Promise((r) => files?.close(r));
});

describe('media both ways through the worker', () => {
  it('an image sent through the API is decrypted by the simulated contact byte-identical', async () => {
    const received = new Promise<SimMedia>((resolve) => world.sim.on('media', (m: SimMedia) => m.to === CONTACT && resolve(m)));
    const sent = await api(worker, 'POST', `/api/sessions/${session.sessionId}/messages`, { to: CONTACT, type: 'image', url: `${filesUrl}/photo.jpg`, caption: 'sent by URL' });
    expect([200, 202]).toContain(sent.status);
    const media = await received;
    expect(media).toMatchObject({ from: session.phone, type: 'image', mimetype: 'image/jpeg', caption: 'sent by URL', id: sent.body.data.messageId });
    expect(media.data.equals(IMAGE)).toBe(true);
  }, 90_000);

  it('an image from the contact reaches the backend as a downloadable reference with the right hash', async () => {
    const photo = Buffer.from(Array.from({ length: 77_777 }, (_, i) => (i * 29) % 256));
    const [id] = await world.sim.deliverMedia(CONTACT, session.phone, { type: 'image', data: photo, mimetype: 'image/jpeg', caption: 'from the contact' });
    const message = await waitFor(
      () =>
        world.backend
          .callsTo('messages')
          .filter((c) => c.status === 200)
          .flatMap((c) => (c.body as { messages: Array<{ id: string; type: string; text?: string; media?: IncomingMedia }> }).messages)
          .find((m) => m.id === id),
      60_000,
      'the incoming image at the backend',
    );
    const sha256 = createHash('sha256').update(photo).digest('hex');
    expect(message).toMatchObject({ type: 'image', text: 'from the contact', media: { mimetype: 'image/jpeg', size: photo.length, sha256 } });
    expect(world.backend.invalidCalls()).toEqual([]);
    // The reference names this worker (WORKER_ENDPOINT); the bytes come back with the bearer token.
    expect(message.media!.url).toBe(`${worker.url}/api/sessions/${session.sessionId}/media/${id}`);
    const res = await fetch(message.media!.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-sha256')).toBe(sha256);
    const body = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha256);
    expect((await fetch(message.media!.url)).status).toBe(401);
    // Stored on S3 next to the snapshots, under media/.
    const keys = await listKeys(`media/${session.sessionId}/`);
    expect(keys).toEqual(expect.arrayContaining([`media/${session.sessionId}/${id}.bin`, `media/${session.sessionId}/${id}.json`]));
  }, 90_000);
});

async function listKeys(prefix: string): Promise<string[]> {
  const { MinioBackend } = await import('../../src/storage/backend/minio.js');
  const backend = new MinioBackend({ endPoint: world.s3.host, port: world.s3.port, useSSL: false, accessKey: world.s3.accessKey, secretKey: world.s3.secretKey, bucket: world.bucket, region: 'us-east-1', socketTimeoutMs: 5_000 });
  try {
    return await backend.list(prefix);
  } finally {
    await backend.close();
  }
}
