import { describe, expect, it } from 'vitest';
import { descendsFrom, trustedHead } from '../../src/storage/descent.js';
import { isLineage, lineageOf } from '../../src/storage/lineage.js';
import { pairing, smallAuthFolder } from './fixtures/auth-folder.js';

const A = 'a'.repeat(24);
const B = 'b'.repeat(24);

describe('lineage of an auth state', () => {
  it('is the same for every state of one pairing and differs between pairings', () => {
    const one = pairing();
    const other = pairing();
    expect(isLineage(lineageOf(one('x')))).toBe(true);
    expect(lineageOf(one('x'))).toBe(lineageOf(one('y')));
    expect(lineageOf(one('x'))).not.toBe(lineageOf(other('x')));
  });

  it('is null without creds or without an identity key', () => {
    expect(lineageOf(new Map())).toBeNull();
    expect(lineageOf(smallAuthFolder('m'))).toBeNull();
    expect(lineageOf(new Map([['creds.json', Buffer.from('not json')]]))).toBeNull();
  });

  it('reads the identity key both as BufferJSON base64 and as a byte array', () => {
    const bytes = [5, 1, 2, 3];
    const b64 = new Map([['creds.json', Buffer.from(JSON.stringify({ signedIdentityKey: { public: { type: 'Buffer', data: Buffer.from(bytes).toString('base64') } } }))]]);
    const arr = new Map([['creds.json', Buffer.from(JSON.stringify({ signedIdentityKey: { public: { type: 'Buffer', data: bytes } } }))]]);
    expect(lineageOf(b64)).toBe(lineageOf(arr));
  });
});

describe('descent: what may become the head', () => {
  it('nothing published: anything', () => {
    expect(descendsFrom(null, 1, A)).toEqual({ ok: true });
  });
  it('same pairing: not behind the head', () => {
    expect(descendsFrom({ generation: 5, lineage: A }, 5, A).ok).toBe(true);
    expect(descendsFrom({ generation: 5, lineage: A }, 6, A).ok).toBe(true);
    expect(descendsFrom({ generation: 5, lineage: A }, 4, A)).toMatchObject({ ok: false, code: 'STORAGE_STALE_GENERATION' });
  });
  it('another pairing: never, whatever its generation', () => {
    expect(descendsFrom({ generation: 3, lineage: B }, 57, A)).toMatchObject({ ok: false, code: 'STORAGE_FOREIGN_LINEAGE' });
  });
  it('an unknown lineage on either side compares generations only', () => {
    expect(descendsFrom({ generation: 3, lineage: null }, 57, A).ok).toBe(true);
    expect(descendsFrom({ generation: 3, lineage: B }, 2, null)).toMatchObject({ ok: false, code: 'STORAGE_STALE_GENERATION' });
  });
});

describe('trusted head: the pointer is a lower bound within its pairing', () => {
  it('a newer complete object of the same pairing wins over a pointer delivered late', () => {
    expect(trustedHead({ generation: 2, lineage: A }, [{ generation: 4, lineage: B }, { generation: 3, lineage: A }])).toEqual({ generation: 3, lineage: A });
  });
  it('objects of another pairing or of unknown lineage never do', () => {
    expect(trustedHead({ generation: 2, lineage: A }, [{ generation: 9, lineage: B }, { generation: 8, lineage: null }])).toEqual({ generation: 2, lineage: A });
    expect(trustedHead({ generation: 2, lineage: null }, [{ generation: 3, lineage: A }])).toEqual({ generation: 2, lineage: null });
  });
});
