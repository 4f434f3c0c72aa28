/**
 * LazyBackend (issue 15): a session host on `local` storage never loads the S3 client, and one on
 * `minio` loads it once, on first use. Pure: the loader is a counted function.
 */
import { describe, expect, it } from 'vitest';
import { LazyBackend } from '../../src/storage/backend/lazy.js';
import type { ObjectBackend } from '../../src/storage/backend/types.js';
import { createBackend } from '../../src/storage/index.js';

function memoryBackend(): ObjectBackend & { closed: number } {
  const objects = new Map<string, Buffer>();
  return {
    driver: 'minio',
    location: 'mem://x',
    closed: 0,
    get: async (k) => objects.get(k) ?? null,
    put: async (k, d) => void objects.set(k, d),
    list: async (p) => [...objects.keys()].filter((k) => k.startsWith(p)),
    listFolders: async () => [],
    delete: async (keys) => keys.forEach((k) => objects.delete(k)),
    ping: async () => undefined,
    async close() {
      this.closed++;
    },
  };
}

describe('LazyBackend', () => {
  it('loads nothing until used, then loads once for every later call', async () => {
    let loads = 0;
    const inner = memoryBackend();
    const lazy = new LazyBackend('minio', 'mem://x', async () => (loads++, inner));
    expect(loads).toBe(0);
    await Promise.all([lazy.put('sessions/a/x', Buffer.from('1')), lazy.ping()]);
    expect((await lazy.get('sessions/a/x'))?.toString()).toBe('1');
    expect(await lazy.list('sessions/')).toEqual(['sessions/a/x']);
    await lazy.delete(['sessions/a/x']);
    expect(await lazy.get('sessions/a/x')).toBeNull();
    expect(loads).toBe(1);
    await lazy.close();
    expect(inner.closed).toBe(1);
  });

  it('close() before any use loads nothing', async () => {
    let loads = 0;
    const lazy = new LazyBackend('minio', 'mem://x', async () => (loads++, memoryBackend()));
    await lazy.close();
    expect(loads).toBe(0);
  });

  it('a failed load is not cached: the next call tries again', async () => {
    let loads = 0;
    const lazy = new LazyBackend('minio', 'mem://x', async () => {
      if (loads++ === 0) throw new Error('chunk missing');
      return memoryBackend();
    });
    await expect(lazy.ping()).rejects.toThrow('chunk missing');
    await expect(lazy.ping()).resolves.toBeUndefined();
    expect(loads).toBe(2);
  });

  it('createBackend names the minio location without loading the S3 client', () => {
    const b = createBackend({ driver: 'minio', endPoint: '127.0.0.1', port: 9000, useSSL: false, accessKey: 'a', secretKey: 'b', bucket: 'wa', region: 'us-east-1' }, 1000);
    expect(b).toBeInstanceOf(LazyBackend);
    expect(b.location).toBe('http://127.0.0.1:9000/wa');
    expect(b.driver).toBe('minio');
  });
});
