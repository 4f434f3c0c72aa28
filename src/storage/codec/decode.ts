import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { SnapshotError, SnapshotErrorCode } from '../errors.js';
import type { AuthFiles, SnapshotMeta } from '../types.js';
import { open } from './cipher.js';
import { metaOf } from './encode.js';
import { FLAG_ENCRYPTED, unframe, type Frame } from './framing.js';
import { decodeHeader, type SnapshotHeader } from './header.js';
import type { EncryptionKey } from './keys.js';
import { unpackPayload } from './payload.js';

export interface Expectation {
  sessionId: string;
  /** The generation the object was stored under; omitted when only the session is known. */
  generation?: number;
}

export interface Decoded {
  meta: SnapshotMeta;
  files: AuthFiles;
}

/**
 * Reads the plain header after verifying framing and the whole-object checksum, without decrypting
 * or inflating: enough for listings and for the session/generation checks.
 */
export function inspectSnapshot(blob: Buffer, expect?: Expectation): { header: SnapshotHeader; meta: SnapshotMeta } {
  return inspectFrame(unframe(blob), blob.length, expect);
}

function inspectFrame(frame: Frame, bytes: number, expect?: Expectation): { header: SnapshotHeader; meta: SnapshotMeta } {
  const header = decodeHeader(frame.header);
  if (Boolean(frame.flags & FLAG_ENCRYPTED) !== Boolean(header.encryption)) {
    throw new SnapshotError(SnapshotErrorCode.CORRUPT, 'snapshot flags and header disagree about encryption');
  }
  if (expect) checkIdentity(header, expect);
  return { header, meta: metaOf(header, bytes) };
}

/**
 * Verifies everything and returns the files. Each failure has its own code (see errors.ts); the
 * order of checks makes the code name the real cause: framing/truncation, whole-object checksum,
 * identity, key, then payload checksum.
 */
export function decodeSnapshot(blob: Buffer, expect: Expectation, keys: readonly EncryptionKey[]): Decoded {
  const frame = unframe(blob);
  const { header, meta } = inspectFrame(frame, blob.length, expect);
  let compressed = frame.body;
  if (header.encryption) {
    const enc = header.encryption;
    const key = keys.find((k) => k.id === enc.keyId);
    if (!key) {
      const why = keys.length === 0 ? 'no AUTH_ENCRYPTION_KEY is configured' : `none of the ${keys.length} configured keys has id ${enc.keyId}`;
      throw new SnapshotError(SnapshotErrorCode.WRONG_KEY, `snapshot is encrypted with key ${enc.keyId}, but ${why}`, { details: { keyId: enc.keyId } });
    }
    try {
      compressed = open(key, Buffer.from(enc.iv, 'base64'), frame.body, frame.header);
    } catch {
      // The whole-object checksum passed, so the bytes are as written: the tag failing with a key of
      // the right id means the object was rewritten with a forged checksum.
      throw new SnapshotError(SnapshotErrorCode.CHECKSUM_MISMATCH, 'snapshot failed AES-GCM authentication');
    }
  }
  let payload: Buffer;
  try {
    payload = gunzipSync(compressed, { maxOutputLength: Math.max(header.payloadBytes, 1) });
  } catch (err) {
    throw new SnapshotError(SnapshotErrorCode.CORRUPT, 'snapshot body does not inflate', { cause: err });
  }
  if (payload.length !== header.payloadBytes) {
    throw new SnapshotError(SnapshotErrorCode.CHECKSUM_MISMATCH, `snapshot payload is ${payload.length} bytes, header says ${header.payloadBytes}`);
  }
  if (createHash('sha256').update(payload).digest('hex') !== header.payloadSha256) {
    throw new SnapshotError(SnapshotErrorCode.CHECKSUM_MISMATCH, 'snapshot payload checksum mismatch');
  }
  return { meta, files: unpackPayload(payload, header.fileCount) };
}

function checkIdentity(header: SnapshotHeader, expect: Expectation): void {
  if (header.sessionId !== expect.sessionId) {
    throw new SnapshotError(SnapshotErrorCode.WRONG_SESSION, `snapshot belongs to session ${JSON.stringify(header.sessionId).slice(0, 80)}, expected ${expect.sessionId}`);
  }
  if (expect.generation !== undefined && header.generation !== expect.generation) {
    throw new SnapshotError(SnapshotErrorCode.WRONG_GENERATION, `snapshot says generation ${header.generation}, stored as ${expect.generation}`);
  }
}
