import { SnapshotError, SnapshotErrorCode } from './errors.js';
import { isLineage } from './lineage.js';
import type { SnapshotMeta } from './types.js';

/**
 * The pointer names the newest published generation. It is written only after the snapshot object
 * it names is complete, so whatever a reader finds through it was fully written.
 */
export interface Pointer {
  version: 1;
  sessionId: string;
  generation: number;
  key: string;
  sha256: string;
  bytes: number;
  workerId: string;
  createdAt: string;
  /** Pairing of the named snapshot; absent in pointers written before lineages. */
  lineage?: string;
}

export function encodePointer(meta: SnapshotMeta, key: string): Buffer {
  const pointer: Pointer = {
    version: 1,
    sessionId: meta.sessionId,
    generation: meta.generation,
    key,
    sha256: meta.sha256,
    bytes: meta.bytes,
    workerId: meta.workerId,
    createdAt: meta.createdAt,
    ...(meta.lineage ? { lineage: meta.lineage } : {}),
  };
  return Buffer.from(`${JSON.stringify(pointer)}\n`, 'utf8');
}

export function decodePointer(bytes: Buffer, sessionId: string): Pointer {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SnapshotError(SnapshotErrorCode.CORRUPT, 'pointer is not JSON');
  }
  const p = value as Partial<Pointer> | null;
  if (!p || typeof p !== 'object' || p.version !== 1 || !Number.isSafeInteger(p.generation) || (p.generation as number) < 1) {
    throw new SnapshotError(SnapshotErrorCode.CORRUPT, 'pointer is malformed');
  }
  if (p.lineage !== undefined && !isLineage(p.lineage)) throw new SnapshotError(SnapshotErrorCode.CORRUPT, 'pointer lineage is malformed');
  if (p.sessionId !== sessionId) {
    throw new SnapshotError(SnapshotErrorCode.WRONG_SESSION, `pointer names session ${JSON.stringify(p.sessionId).slice(0, 80)}, expected ${sessionId}`);
  }
  return p as Pointer;
}
