import { createHash } from 'node:crypto';
import { SnapshotError, SnapshotErrorCode } from '../errors.js';

/**
 * Binary framing of a snapshot object (all integers big-endian):
 *
 *   "WASNAP" | version u8 | flags u8 | headerLen u32 | bodyLen u32 | header (JSON) | body | sha256(all before) 32 bytes
 *
 * The lengths in the prelude let a reader tell a truncated object from a corrupted one before it
 * parses anything; the trailing SHA-256 covers prelude, header and body, so any flipped bit is a
 * checksum mismatch rather than a confusing parse error.
 */
export const MAGIC = Buffer.from('WASNAP', 'ascii');
export const FORMAT_VERSION = 1;
export const PRELUDE_BYTES = MAGIC.length + 1 + 1 + 4 + 4;
export const TRAILER_BYTES = 32;
export const FLAG_ENCRYPTED = 0x01;
/** Header JSON above this is not something we wrote. */
const MAX_HEADER_BYTES = 64 * 1024;

export interface Frame {
  version: number;
  flags: number;
  header: Buffer;
  body: Buffer;
}

export function frame(flags: number, header: Buffer, body: Buffer): Buffer {
  const prelude = Buffer.alloc(PRELUDE_BYTES);
  MAGIC.copy(prelude, 0);
  prelude.writeUInt8(FORMAT_VERSION, MAGIC.length);
  prelude.writeUInt8(flags, MAGIC.length + 1);
  prelude.writeUInt32BE(header.length, MAGIC.length + 2);
  prelude.writeUInt32BE(body.length, MAGIC.length + 6);
  const hash = createHash('sha256').update(prelude).update(header).update(body).digest();
  return Buffer.concat([prelude, header, body, hash]);
}

export function unframe(blob: Buffer): Frame {
  if (blob.length < MAGIC.length) {
    if (MAGIC.subarray(0, blob.length).equals(blob)) throw truncated(blob.length, PRELUDE_BYTES);
    throw new SnapshotError(SnapshotErrorCode.CORRUPT, 'not a snapshot object (bad magic)');
  }
  if (!blob.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SnapshotError(SnapshotErrorCode.CORRUPT, 'not a snapshot object (bad magic)');
  }
  if (blob.length < MAGIC.length + 1) throw truncated(blob.length, PRELUDE_BYTES);
  // The version is checked before anything else: a newer format may frame things differently.
  const version = blob.readUInt8(MAGIC.length);
  if (version !== FORMAT_VERSION) {
    throw new SnapshotError(SnapshotErrorCode.UNKNOWN_FORMAT, `snapshot format version ${version} is not supported (this worker reads version ${FORMAT_VERSION})`, { details: { version } });
  }
  if (blob.length < PRELUDE_BYTES) throw truncated(blob.length, PRELUDE_BYTES);
  const flags = blob.readUInt8(MAGIC.length + 1);
  const headerLength = blob.readUInt32BE(MAGIC.length + 2);
  const bodyLength = blob.readUInt32BE(MAGIC.length + 6);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SnapshotError(SnapshotErrorCode.CORRUPT, `snapshot header length ${headerLength} is implausible`);
  }
  const expected = PRELUDE_BYTES + headerLength + bodyLength + TRAILER_BYTES;
  if (blob.length < expected) throw truncated(blob.length, expected);
  if (blob.length > expected) {
    throw new SnapshotError(SnapshotErrorCode.CHECKSUM_MISMATCH, `snapshot object has ${blob.length - expected} unexpected trailing bytes`);
  }
  const content = blob.subarray(0, expected - TRAILER_BYTES);
  const actual = createHash('sha256').update(content).digest();
  if (!actual.equals(blob.subarray(expected - TRAILER_BYTES))) {
    throw new SnapshotError(SnapshotErrorCode.CHECKSUM_MISMATCH, 'snapshot object checksum mismatch');
  }
  return {
    version,
    flags,
    header: blob.subarray(PRELUDE_BYTES, PRELUDE_BYTES + headerLength),
    body: blob.subarray(PRELUDE_BYTES + headerLength, expected - TRAILER_BYTES),
  };
}

function truncated(actual: number, expected: number): SnapshotError {
  return new SnapshotError(SnapshotErrorCode.TRUNCATED, `snapshot object is truncated: ${actual} of at least ${expected} bytes`, { details: { actual, expected } });
}
