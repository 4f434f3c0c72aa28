import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSnapshot, encodeSnapshot, inspectSnapshot, keyIdOf, toEncryptionKeys, type EncryptionKey } from '../../src/storage/codec/index.js';
import { FORMAT_VERSION, MAGIC, PRELUDE_BYTES } from '../../src/storage/codec/framing.js';
import { SnapshotErrorCode } from '../../src/storage/errors.js';
import type { AuthFiles } from '../../src/storage/types.js';
import { realisticAuthFolder, smallAuthFolder } from './fixtures/auth-folder.js';

const [keyA, keyB] = toEncryptionKeys([randomBytes(32), randomBytes(32)]) as [EncryptionKey, EncryptionKey];
const base = { sessionId: 'abc', generation: 7, workerId: 'worker-1' };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('snapshot codec', () => {
  let realistic: AuthFiles;
  beforeAll(() => {
    realistic = realisticAuthFolder();
  });

  it('round-trips a plain snapshot with its manifest', () => {
    const files = smallAuthFolder('plain');
    const createdAt = new Date('2025-01-02T03:04:05.000Z');
    const { blob, meta } = encodeSnapshot({ ...base, files, createdAt });
    expect(meta).toMatchObject({ sessionId: 'abc', generation: 7, workerId: 'worker-1', createdAt: createdAt.toISOString(), fileCount: 3, bytes: blob.length });
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.keyId).toBeUndefined();
    const decoded = decodeSnapshot(blob, { sessionId: 'abc', generation: 7 }, []);
    expect(decoded.meta).toEqual(meta);
    expect(decoded.files).toEqual(files);
  });

  it('round-trips an encrypted snapshot, and the ciphertext hides file names and content', () => {
    const files = smallAuthFolder('secret-marker');
    const { blob, meta } = encodeSnapshot({ ...base, files }, keyA);
    expect(meta.keyId).toBe(keyA.id);
    expect(blob.includes(Buffer.from('secret-marker'))).toBe(false);
    expect(blob.includes(Buffer.from('session-15550002222'))).toBe(false);
    expect(decodeSnapshot(blob, { sessionId: 'abc' }, [keyA]).files).toEqual(files);
  });

  it('reads snapshots of the previous key during a rotation, and writes with the current one', () => {
    const files = smallAuthFolder('rotation');
    const old = encodeSnapshot({ ...base, files }, keyA);
    // After rotation: current key B first, previous key A second.
    expect(decodeSnapshot(old.blob, { sessionId: 'abc' }, [keyB, keyA]).files).toEqual(files);
    const fresh = encodeSnapshot({ ...base, generation: 8, files }, keyB);
    expect(fresh.meta.keyId).toBe(keyB.id);
    expect(codeOf(() => decodeSnapshot(fresh.blob, { sessionId: 'abc' }, [keyA]))).toBe(SnapshotErrorCode.WRONG_KEY);
  });

  it('key ids are stable and reveal nothing of the key', () => {
    expect(keyIdOf(keyA.key)).toBe(keyA.id);
    expect(keyA.id).toMatch(/^[0-9a-f]{16}$/);
    expect(keyA.key.toString('hex')).not.toContain(keyA.id);
    expect(keyA.id).not.toBe(keyB.id);
  });

  it('packs an empty folder', () => {
    const { blob, meta } = encodeSnapshot({ ...base, files: new Map() });
    expect(meta.fileCount).toBe(0);
    expect(decodeSnapshot(blob, { sessionId: 'abc' }, []).files.size).toBe(0);
  });

  it('round-trips a realistic folder (creds + 800 pre-keys + sessions), plain and encrypted', () => {
    expect(realistic.size).toBeGreaterThan(830);
    const plain = encodeSnapshot({ ...base, files: realistic });
    const rawBytes = [...realistic.values()].reduce((n, b) => n + b.length, 0);
    expect(plain.blob.length).toBeLessThan(rawBytes); // compressed
    expect(decodeSnapshot(plain.blob, { sessionId: 'abc', generation: 7 }, []).files).toEqual(realistic);
    const sealed = encodeSnapshot({ ...base, files: realistic }, keyA);
    const back = decodeSnapshot(sealed.blob, { sessionId: 'abc', generation: 7 }, [keyA]);
    expect(back.files).toEqual(realistic);
    expect(back.meta.sha256).toBe(plain.meta.sha256);
  });

  describe('corruption is detected with a distinct code', () => {
    const files = smallAuthFolder('corrupt');
    const plain = () => encodeSnapshot({ ...base, files }).blob;
    const sealed = () => encodeSnapshot({ ...base, files }, keyA).blob;

    it.each([
      ['half', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
      ['last byte', (b: Buffer) => b.subarray(0, b.length - 1)],
      ['prelude only', (b: Buffer) => b.subarray(0, PRELUDE_BYTES)],
      ['three bytes', (b: Buffer) => b.subarray(0, 3)],
      ['empty', (b: Buffer) => b.subarray(0, 0)],
    ])('truncated (%s)', (_name, cut) => {
      expect(codeOf(() => decodeSnapshot(cut(plain()), { sessionId: 'abc' }, []))).toBe(SnapshotErrorCode.TRUNCATED);
      expect(codeOf(() => decodeSnapshot(cut(sealed()), { sessionId: 'abc' }, [keyA]))).toBe(SnapshotErrorCode.TRUNCATED);
    });

    it('a flipped bit anywhere after the prelude is a checksum mismatch', () => {
      for (const make of [plain, sealed]) {
        const blob = make();
        for (const at of [PRELUDE_BYTES + 2, Math.floor(blob.length / 2), blob.length - 40, blob.length - 1]) {
          const bad = Buffer.from(blob);
          bad[at] = (bad[at] as number) ^ 0x10;
          expect(codeOf(() => decodeSnapshot(bad, { sessionId: 'abc' }, [keyA])), `offset ${at}`).toBe(SnapshotErrorCode.CHECKSUM_MISMATCH);
        }
      }
    });

    it('trailing garbage is a checksum mismatch', () => {
      expect(codeOf(() => decodeSnapshot(Buffer.concat([plain(), Buffer.from('xx')]), { sessionId: 'abc' }, []))).toBe(SnapshotErrorCode.CHECKSUM_MISMATCH);
    });

    it('wrong key, and no key at all', () => {
      expect(codeOf(() => decodeSnapshot(sealed(), { sessionId: 'abc' }, [keyB]))).toBe(SnapshotErrorCode.WRONG_KEY);
      expect(codeOf(() => decodeSnapshot(sealed(), { sessionId: 'abc' }, []))).toBe(SnapshotErrorCode.WRONG_KEY);
    });

    it('a key with the right id that fails authentication is not called a wrong key', () => {
      const impostor: EncryptionKey = { id: keyA.id, key: keyB.key };
      expect(codeOf(() => decodeSnapshot(sealed(), { sessionId: 'abc' }, [impostor]))).toBe(SnapshotErrorCode.CHECKSUM_MISMATCH);
    });

    it('unknown format version', () => {
      const blob = plain();
      blob.writeUInt8(FORMAT_VERSION + 1, MAGIC.length);
      expect(codeOf(() => decodeSnapshot(blob, { sessionId: 'abc' }, []))).toBe(SnapshotErrorCode.UNKNOWN_FORMAT);
      expect(codeOf(() => inspectSnapshot(blob))).toBe(SnapshotErrorCode.UNKNOWN_FORMAT);
    });

    it('wrong session id, even before decryption', () => {
      expect(codeOf(() => decodeSnapshot(plain(), { sessionId: 'abc2' }, []))).toBe(SnapshotErrorCode.WRONG_SESSION);
      expect(codeOf(() => decodeSnapshot(sealed(), { sessionId: 'ab' }, []))).toBe(SnapshotErrorCode.WRONG_SESSION);
    });

    it('a snapshot stored under another generation', () => {
      expect(codeOf(() => decodeSnapshot(plain(), { sessionId: 'abc', generation: 8 }, []))).toBe(SnapshotErrorCode.WRONG_GENERATION);
    });

    it('something that is not a snapshot at all', () => {
      expect(codeOf(() => decodeSnapshot(Buffer.from('{"creds":true}'), { sessionId: 'abc' }, []))).toBe(SnapshotErrorCode.CORRUPT);
    });
  });

  it('refuses file names that could escape the auth folder, and invalid session ids', () => {
    for (const name of ['../creds.json', 'a/b.json', '.', '..', '', 'x\0.json']) {
      expect(codeOf(() => encodeSnapshot({ ...base, files: new Map([[name, Buffer.from('x')]]) })), name).toBe('STORAGE_INVALID_ARGUMENT');
    }
    expect(codeOf(() => encodeSnapshot({ ...base, sessionId: '../etc', files: new Map() }))).toBe('INVALID_SESSION_ID');
    expect(codeOf(() => encodeSnapshot({ ...base, generation: 0, files: new Map() }))).toBe('STORAGE_INVALID_ARGUMENT');
  });
});
