import { createHash, randomBytes } from 'node:crypto';
import { gzipSync, constants as zlib } from 'node:zlib';
import { assertSessionId } from '../../session-id.js';
import { StorageError, StorageErrorCode } from '../errors.js';
import type { AuthFiles, SnapshotMeta } from '../types.js';
import { IV_BYTES, seal } from './cipher.js';
import { FLAG_ENCRYPTED, frame } from './framing.js';
import { encodeHeader, type SnapshotHeader } from './header.js';
import type { EncryptionKey } from './keys.js';
import { lineageOf } from '../lineage.js';
import { packPayload } from './payload.js';

export interface EncodeInput {
  sessionId: string;
  generation: number;
  workerId: string;
  files: AuthFiles;
  createdAt?: Date;
}

export interface Encoded {
  blob: Buffer;
  meta: SnapshotMeta;
}

/**
 * Packs an auth folder into one snapshot object. Pure: no I/O, deterministic except for the IV.
 * Level 6 gzip: auth folders are small JSON files that compress ~4x; higher levels cost more CPU
 * on the host's event loop for a few percent.
 */
export function encodeSnapshot(input: EncodeInput, key?: EncryptionKey): Encoded {
  const sessionId = assertSessionId(input.sessionId);
  if (!Number.isSafeInteger(input.generation) || input.generation < 1) {
    throw new StorageError(StorageErrorCode.INVALID_ARGUMENT, `generation must be a positive integer, got ${input.generation}`);
  }
  const payload = packPayload(input.files);
  const payloadSha256 = createHash('sha256').update(payload).digest('hex');
  const compressed = gzipSync(payload, { level: 6, strategy: zlib.Z_DEFAULT_STRATEGY });
  const header: SnapshotHeader = {
    sessionId,
    generation: input.generation,
    workerId: input.workerId,
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    fileCount: input.files.size,
    payloadBytes: payload.length,
    payloadSha256,
    compression: 'gzip',
  };
  const lineage = lineageOf(input.files);
  if (lineage) header.lineage = lineage;
  let blob: Buffer;
  if (key) {
    // The IV is part of the authenticated header, so it is drawn before the header is encoded.
    const iv = randomBytes(IV_BYTES);
    header.encryption = { alg: 'aes-256-gcm', keyId: key.id, iv: iv.toString('base64') };
    const headerBytes = encodeHeader(header);
    const { sealed } = seal(key, compressed, headerBytes, iv);
    blob = frame(FLAG_ENCRYPTED, headerBytes, sealed);
  } else {
    blob = frame(0, encodeHeader(header), compressed);
  }
  return { blob, meta: metaOf(header, blob.length) };
}

export function metaOf(header: SnapshotHeader, bytes: number): SnapshotMeta {
  const meta: SnapshotMeta = {
    sessionId: header.sessionId,
    generation: header.generation,
    workerId: header.workerId,
    createdAt: header.createdAt,
    fileCount: header.fileCount,
    bytes,
    sha256: header.payloadSha256,
  };
  if (header.encryption) meta.keyId = header.encryption.keyId;
  if (header.lineage) meta.lineage = header.lineage;
  return meta;
}
