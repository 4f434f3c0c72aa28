import { describe, expect, it } from 'vitest';
import { generationOfKey, legacyFileOfKey, pointerKey, sessionPrefix, snapshotKey, snapshotsPrefix } from '../../src/storage/layout.js';
import { legacyFilesIn } from '../../src/storage/legacy.js';
import { decodePointer, encodePointer } from '../../src/storage/pointer.js';
import { generationsToPrune, readOrder } from '../../src/storage/retention.js';

describe('object layout', () => {
  it('every prefix ends with "/", so abc never matches abc2', () => {
    expect(sessionPrefix('abc')).toBe('sessions/abc/');
    expect(snapshotsPrefix('abc')).toBe('sessions/abc/snapshots/');
    expect(snapshotKey('abc2', 1).startsWith(sessionPrefix('abc'))).toBe(false);
    expect(pointerKey('abc2').startsWith(sessionPrefix('abc'))).toBe(false);
  });

  it('rejects invalid session ids before building a key', () => {
    for (const id of ['', '../x', 'a/b', 'a\\b', 'x'.repeat(161), 'a\u0000b']) {
      expect(() => sessionPrefix(id), id).toThrow(expect.objectContaining({ code: 'INVALID_SESSION_ID' }));
    }
  });

  it('builds keys of other ids from their safe name: no dot segment, no separator', () => {
    expect(sessionPrefix('..')).toBe('sessions/~2E~2E/');
    expect(pointerKey('a.b/c'.replace('/', ' '))).toBe('sessions/a~2Eb~20c/pointer.json');
    expect(snapshotKey('ä', 1)).toBe('sessions/~C3~A4/snapshots/000000000001.snap');
    expect(generationOfKey('ä', snapshotKey('ä', 7))).toBe(7);
  });

  it('snapshot keys sort by generation and parse back', () => {
    expect(snapshotKey('abc', 12)).toBe('sessions/abc/snapshots/000000000012.snap');
    const keys = [10, 9, 100, 1].map((g) => snapshotKey('abc', g)).sort();
    expect(keys.map((k) => generationOfKey('abc', k))).toEqual([1, 9, 10, 100]);
    expect(generationOfKey('abc', snapshotKey('abc2', 3))).toBeNull();
    expect(generationOfKey('abc', 'sessions/abc/snapshots/000000000000.snap')).toBeNull();
    expect(generationOfKey('abc', 'sessions/abc/snapshots/12.snap')).toBeNull();
  });

  it('recognises legacy files only directly under the session prefix', () => {
    expect(legacyFileOfKey('abc', 'sessions/abc/creds.json')).toBe('creds.json');
    expect(legacyFileOfKey('abc', 'sessions/abc/pre-key-12.json')).toBe('pre-key-12.json');
    expect(legacyFileOfKey('abc', 'sessions/abc/pointer.json')).toBeNull();
    expect(legacyFileOfKey('abc', 'sessions/abc/snapshots/000000000001.snap')).toBeNull();
    expect(legacyFileOfKey('abc', 'sessions/abc2/creds.json')).toBeNull();
    expect(legacyFileOfKey('abc', 'sessions/abc/notes.txt')).toBeNull();
    expect(legacyFilesIn('abc', ['sessions/abc/pre-key-1.json'])).toEqual([]);
    expect(legacyFilesIn('abc', ['sessions/abc/pre-key-1.json', 'sessions/abc/creds.json', 'sessions/abc/pointer.json'])).toEqual(['creds.json', 'pre-key-1.json']);
  });
});

describe('retention', () => {
  it('reads the pointer generation first, then older ones; ignores unpublished newer ones', () => {
    expect(readOrder(5, [6, 5, 4, 3])).toEqual([5, 4, 3]);
    expect(readOrder(5, [4, 3])).toEqual([5, 4, 3]);
    expect(readOrder(null, [2, 7, 4])).toEqual([7, 4, 2]);
    expect(readOrder(null, [])).toEqual([]);
  });

  it('keeps the three newest generations at or below the published one', () => {
    expect(generationsToPrune([1, 2, 3, 4, 5], 5)).toEqual([1, 2]);
    expect(generationsToPrune([1, 2, 3], 3)).toEqual([]);
    expect(generationsToPrune([1, 2, 3, 4], 5)).toEqual([1, 2]);
    expect(generationsToPrune([1, 2, 3, 4, 9], 4)).toEqual([1]);
  });
});

describe('pointer', () => {
  const meta = { sessionId: 'abc', generation: 3, workerId: 'w', createdAt: '2025-01-01T00:00:00.000Z', fileCount: 1, bytes: 10, sha256: 'a'.repeat(64) };
  it('round-trips and checks the session', () => {
    const bytes = encodePointer(meta, snapshotKey('abc', 3));
    expect(decodePointer(bytes, 'abc')).toMatchObject({ generation: 3, key: 'sessions/abc/snapshots/000000000003.snap' });
    expect(() => decodePointer(bytes, 'abc2')).toThrow(expect.objectContaining({ code: 'SNAPSHOT_WRONG_SESSION' }));
    expect(() => decodePointer(Buffer.from('{"vers'), 'abc')).toThrow(expect.objectContaining({ code: 'SNAPSHOT_CORRUPT' }));
    expect(() => decodePointer(Buffer.from('{"version":1,"generation":0,"sessionId":"abc"}'), 'abc')).toThrow(expect.objectContaining({ code: 'SNAPSHOT_CORRUPT' }));
  });
});
