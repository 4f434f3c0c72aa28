import { errorCode } from '../errors.js';
import type { StorageOperation, StorageOpName } from './types.js';

/**
 * Measures one store operation for the metrics hook: duration, bytes moved, and the error code of a
 * failure. The hook's own failures are swallowed: metrics must never break storage.
 */
export class ByteCounter {
  bytes = 0;
  add(n: number): void {
    this.bytes += n;
  }
}

export async function instrument<T>(
  op: StorageOpName,
  hook: ((op: StorageOperation) => void) | undefined,
  fn: (bytes: ByteCounter) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const counter = new ByteCounter();
  const report = (ok: boolean, err?: unknown) => {
    if (!hook) return;
    const record: StorageOperation = { op, ok, durationMs: Math.round((performance.now() - started) * 1000) / 1000, bytes: counter.bytes };
    if (!ok) record.errorCode = errorCode(err);
    try {
      hook(record);
    } catch {
      // A broken metrics hook is not a storage failure.
    }
  };
  try {
    const result = await fn(counter);
    report(true);
    return result;
  } catch (err) {
    report(false, err);
    throw err;
  }
}
