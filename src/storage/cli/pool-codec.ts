import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { rebuildError } from '../../error-codes.js';
import type { CodecRunner } from '../codec-runner.js';
import { SnapshotError, isSnapshotErrorCode } from '../errors.js';
import type { WorkerResult } from './codec-worker.js';
import type { SnapshotMeta } from '../types.js';

/**
 * A `CodecRunner` on a piscina pool, so bulk maintenance keeps its event loop free while it
 * verifies or packs hundreds of snapshots. The worker file is the compiled `codec-worker.js`
 * beside this module (this code runs from `dist/`).
 */
export function createPoolCodec(options: { threads?: number } = {}): CodecRunner {
  const threads = options.threads ?? Math.max(1, Math.min(4, availableParallelism() - 1));
  const pool = new Piscina({ filename: new URL('./codec-worker.js', import.meta.url).href, minThreads: 1, maxThreads: threads });
  const unwrap = <T>(result: WorkerResult<T>): T => {
    if (result.ok) return result.value;
    if (isSnapshotErrorCode(result.code)) throw new SnapshotError(result.code, result.message);
    throw rebuildError(result.code, result.message);
  };
  const buf = (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  return {
    async encode(input, key) {
      const value = unwrap<{ blob: Uint8Array; meta: SnapshotMeta }>(
        await pool.run({ input: { ...input, files: [...input.files] }, key }, { name: 'encode' }),
      );
      return { blob: buf(value.blob), meta: value.meta };
    },
    async decode(blob, expect, keys) {
      const value = unwrap<{ meta: SnapshotMeta; files: [string, Uint8Array][] }>(
        await pool.run({ blob, expect, keys }, { name: 'decode' }),
      );
      return { meta: value.meta, files: new Map(value.files.map(([name, data]) => [name, buf(data)])) };
    },
    close: () => pool.destroy(),
  };
}
