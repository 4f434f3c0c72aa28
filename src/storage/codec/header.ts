import { SnapshotError, SnapshotErrorCode } from '../errors.js';
import { isLineage } from '../lineage.js';

/**
 * The plain header of a snapshot: what a reader needs to decide whether (and how) to open it, and
 * what listings show without decrypting. It is authenticated as GCM associated data when the body
 * is encrypted, so a header edited to claim another session or generation fails to open.
 */
export interface SnapshotHeader {
  sessionId: string;
  generation: number;
  workerId: string;
  /** ISO-8601. */
  createdAt: string;
  fileCount: number;
  /** Uncompressed payload size: bounds decompression, so a hostile object cannot balloon. */
  payloadBytes: number;
  /** SHA-256 (hex) of the uncompressed payload. */
  payloadSha256: string;
  compression: 'gzip';
  /** Pairing the auth state belongs to (lineage.ts); absent in snapshots written before lineages. */
  lineage?: string;
  encryption?: { alg: 'aes-256-gcm'; keyId: string; iv: string };
}

/** Largest payload a reader inflates: far above a real auth folder (a few MB), far below memory. */
export const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

export function encodeHeader(header: SnapshotHeader): Buffer {
  return Buffer.from(JSON.stringify(header), 'utf8');
}

export function decodeHeader(bytes: Buffer): SnapshotHeader {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt('header is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw corrupt('header is not an object');
  const h = value as Record<string, unknown>;
  if (typeof h.sessionId !== 'string') throw corrupt('sessionId');
  if (!Number.isSafeInteger(h.generation) || (h.generation as number) < 1) throw corrupt('generation');
  if (typeof h.workerId !== 'string') throw corrupt('workerId');
  if (typeof h.createdAt !== 'string') throw corrupt('createdAt');
  if (!Number.isSafeInteger(h.fileCount) || (h.fileCount as number) < 0) throw corrupt('fileCount');
  if (!Number.isSafeInteger(h.payloadBytes) || (h.payloadBytes as number) < 0 || (h.payloadBytes as number) > MAX_PAYLOAD_BYTES) throw corrupt('payloadBytes');
  if (typeof h.payloadSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(h.payloadSha256)) throw corrupt('payloadSha256');
  if (h.compression !== 'gzip') throw corrupt('compression');
  if (h.lineage !== undefined && !isLineage(h.lineage)) throw corrupt('lineage');
  if (h.encryption !== undefined) {
    const e = h.encryption as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || e.alg !== 'aes-256-gcm' || typeof e.keyId !== 'string' || typeof e.iv !== 'string') {
      throw corrupt('encryption');
    }
  }
  return h as unknown as SnapshotHeader;
}

function corrupt(field: string): SnapshotError {
  return new SnapshotError(SnapshotErrorCode.CORRUPT, `snapshot header is malformed (${field})`);
}
