/**
 * The test S3 server must replace objects the way S3 and Swift do: a PUT cut off mid-body stores
 * nothing, and the previous object stays whole (test/support/s3/s3rver-server.ts `atomicPuts`).
 * s3rver alone truncated the object in place, which the chaos run mistook for a worker fault.
 */
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rverBehindProxy, type S3rverBehindProxy } from '../support/s3/s3rver-server.js';

let s3: S3rverBehindProxy;
const client = (port: number): Client => new Client({ endPoint: s3.s3.host, port, useSSL: false, accessKey: s3.s3.accessKey, secretKey: s3.s3.secretKey, region: 'us-east-1', pathStyle: true });

async function read(c: Client, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await c.getObject('atomic', key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  s3 = await startS3rverBehindProxy('atomic');
  await client(s3.s3.port).makeBucket('atomic', 'us-east-1');
});
afterAll(async () => s3?.close());

describe('the test S3 server (s3rver with atomic PUTs)', () => {
  it('keeps the previous object whole when a PUT over it is cut off mid-body', async () => {
    const direct = client(s3.s3.port);
    const before = Buffer.alloc(10_000, 'a');
    await direct.putObject('atomic', 'k', before);
    const died = s3.proxy.dieDuring('PUT /atomic/k', 4096);
    const put = client(s3.proxy.port).putObject('atomic', 'k', Buffer.alloc(200_000, 'b')).then(() => 'stored', (e: unknown) => e);
    await died;
    expect(await put).toBeInstanceOf(Error);
    await s3.proxy.revive();
    // The server may still be reading the cut body: give it a moment to (not) store it.
    await new Promise((r) => setTimeout(r, 300));
    expect((await read(direct, 'k')).equals(before)).toBe(true);
  });

  it('stores a complete PUT and serves it back', async () => {
    const direct = client(s3.s3.port);
    const body = Buffer.alloc(50_000, 'c');
    await direct.putObject('atomic', 'whole', body);
    expect((await read(direct, 'whole')).equals(body)).toBe(true);
  });
});
