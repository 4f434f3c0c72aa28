import { SnapshotError, SnapshotErrorCode, StorageError, StorageErrorCode } from '../errors.js';
import type { AuthFiles } from '../types.js';

/**
 * The payload is the uncompressed content of an auth folder:
 *
 *   indexLen u32 | index JSON [[name, size], ...] | file bytes, concatenated in index order
 *
 * File names live inside the payload (not in the plain header) because Baileys names files after
 * contacts' JIDs: with encryption on, they are encrypted too.
 */

/** A file name that can be written into the auth folder without escaping it. */
const FILE_NAME = /^[A-Za-z0-9_@=+,-][A-Za-z0-9._@=+,-]{0,254}$/;

export function isSafeFileName(name: string): boolean {
  return FILE_NAME.test(name) && name !== '.' && name !== '..';
}

export function packPayload(files: AuthFiles): Buffer {
  const names = [...files.keys()].sort();
  const index: [string, number][] = [];
  const parts: Buffer[] = [];
  for (const name of names) {
    if (!isSafeFileName(name)) {
      throw new StorageError(StorageErrorCode.INVALID_ARGUMENT, `auth file name ${JSON.stringify(name).slice(0, 80)} is not a plain file name`);
    }
    const data = files.get(name) as Buffer;
    index.push([name, data.length]);
    parts.push(data);
  }
  const indexBytes = Buffer.from(JSON.stringify(index), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(indexBytes.length, 0);
  return Buffer.concat([length, indexBytes, ...parts]);
}

/** Input has already passed its checksum: a failure here means a writer bug, reported as corrupt. */
export function unpackPayload(payload: Buffer, expectedFileCount: number): AuthFiles {
  const corrupt = (why: string) => new SnapshotError(SnapshotErrorCode.CORRUPT, `snapshot payload is malformed: ${why}`);
  if (payload.length < 4) throw corrupt('no index');
  const indexLength = payload.readUInt32BE(0);
  if (4 + indexLength > payload.length) throw corrupt('index overruns payload');
  let index: unknown;
  try {
    index = JSON.parse(payload.subarray(4, 4 + indexLength).toString('utf8'));
  } catch {
    throw corrupt('index is not JSON');
  }
  if (!Array.isArray(index)) throw corrupt('index is not a list');
  if (index.length !== expectedFileCount) throw corrupt(`index lists ${index.length} files, header says ${expectedFileCount}`);
  const files: AuthFiles = new Map();
  let offset = 4 + indexLength;
  for (const entry of index) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isSafeInteger(entry[1]) || entry[1] < 0) {
      throw corrupt('bad index entry');
    }
    const [name, size] = entry as [string, number];
    if (!isSafeFileName(name)) throw corrupt(`unsafe file name ${JSON.stringify(name).slice(0, 80)}`);
    if (files.has(name)) throw corrupt(`duplicate file ${name}`);
    if (offset + size > payload.length) throw corrupt('file overruns payload');
    // Copy: callers keep files long after the (large) payload buffer should be freed.
    files.set(name, Buffer.from(payload.subarray(offset, offset + size)));
    offset += size;
  }
  if (offset !== payload.length) throw corrupt(`${payload.length - offset} unindexed bytes`);
  return files;
}
