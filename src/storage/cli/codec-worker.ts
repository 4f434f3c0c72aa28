/**
 * piscina worker: the codec's CPU work (inflate, decrypt, hash / deflate, encrypt) for bulk
 * maintenance. Runs as compiled JS next to pool-codec.js. Buffers arrive as plain Uint8Arrays
 * (structured clone), and failures go back as values, because a thrown error loses its `code`
 * on the way through the thread boundary.
 */
import { decodeSnapshot, encodeSnapshot, type EncodeInput, type EncryptionKey, type Expectation } from '../codec/index.js';
import type { SnapshotMeta } from '../types.js';

export type WorkerResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

interface WireKey {
  id: string;
  key: Uint8Array;
}

const buf = (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
const keysOf = (keys: readonly WireKey[]): EncryptionKey[] => keys.map((k) => ({ id: k.id, key: buf(k.key) }));

function failure(err: unknown): { ok: false; code: string; message: string } {
  const code = typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'INTERNAL';
  return { ok: false, code, message: err instanceof Error ? err.message : String(err) };
}

export function decode(task: { blob: Uint8Array; expect: Expectation; keys: WireKey[] }): WorkerResult<{ meta: SnapshotMeta; files: [string, Uint8Array][] }> {
  try {
    const { meta, files } = decodeSnapshot(buf(task.blob), task.expect, keysOf(task.keys));
    return { ok: true, value: { meta, files: [...files] } };
  } catch (err) {
    return failure(err);
  }
}

export function encode(task: { input: Omit<EncodeInput, 'files'> & { files: [string, Uint8Array][] }; key: WireKey | undefined }): WorkerResult<{ blob: Uint8Array; meta: SnapshotMeta }> {
  try {
    const files = new Map(task.input.files.map(([name, data]) => [name, buf(data)] as const));
    const key = task.key ? keysOf([task.key])[0] : undefined;
    const { blob, meta } = encodeSnapshot({ ...task.input, files }, key);
    return { ok: true, value: { blob, meta } };
  } catch (err) {
    return failure(err);
  }
}
