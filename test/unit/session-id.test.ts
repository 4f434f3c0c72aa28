/**
 * Session ids as the whatsam backend names them (`<userId>-<name>-<ms>`, up to ~150 characters)
 * are accepted; every id maps to a folder name / object key segment that holds no separator, no
 * dot, no control character, and maps back to the id.
 */
import { describe, expect, it } from 'vitest';
import { assertSessionId, isValidSessionId, SESSION_ID_MAX_LENGTH, sessionFileName, sessionIdOfFileName } from '../../src/session-id.js';

/** What the backend's session controller builds for a user and a session name. */
function whatsamId(userId: string, name: string, ms = 1764748800123): string {
  return `${userId}-${name.toLowerCase().replace(/\s+/g, '-')}-${ms}`;
}

const USER = '3f2b8c1e-9d4a-4e7b-8a21-5c6d7e8f9a0b';
const ODD = ['a.b', 'a b', 'ä', 'x~y', "x'", '..', '.', 'café-ünïcode', '日本語のセッション', '😀'.repeat(40), 'x%2Fy', '<script>', 'a:b', 'CON', 'a+b', '-leading'];

describe('session ids', () => {
  it('accepts what the whatsam backend names sessions, up to 160 characters', () => {
    const long = whatsamId(USER, 'Customer Support Line For The Northern Region Of The Company '.repeat(2).slice(0, 100));
    expect(long.length).toBeGreaterThan(140);
    expect(isValidSessionId(long)).toBe(true);
    expect(isValidSessionId(whatsamId(USER, 'My Shop'))).toBe(true);
    expect(isValidSessionId('x'.repeat(SESSION_ID_MAX_LENGTH))).toBe(true);
    for (const id of ODD) expect(isValidSessionId(id), id).toBe(true);
  });

  it('refuses empty ids, control characters, separators, lone surrogates and more than 160 characters', () => {
    const bad = ['', 'a/b', '/', 'a\\b', '\\', 'a\u0000b', 'x\ny', '\t', '\u007f', 'a\u0085b', '\ud800', 'a\udc00', 'x'.repeat(161), '😀'.repeat(161)];
    for (const id of bad) {
      expect(isValidSessionId(id), JSON.stringify(id)).toBe(false);
      expect(() => sessionFileName(id)).toThrow(expect.objectContaining({ code: 'INVALID_SESSION_ID' }));
    }
    for (const v of [undefined, null, 5, ['a'], {}]) expect(() => assertSessionId(v)).toThrow(expect.objectContaining({ code: 'INVALID_SESSION_ID' }));
  });

  it('keeps [A-Za-z0-9_-] ids as their own name, so existing folders and keys stay where they are', () => {
    for (const id of ['abc', 'life-1', 'A_b-9', whatsamId(USER, 'shop')]) expect(sessionFileName(id)).toBe(id);
  });

  it('maps every other id to a safe, reversible name', () => {
    for (const id of ODD) {
      const name = sessionFileName(id);
      expect(name, id).toMatch(/^[A-Za-z0-9_~-]+$/);
      expect(name).not.toContain('..');
      expect(name.length).toBeLessThanOrEqual(200);
      const back = sessionIdOfFileName(name);
      if (back.hashed) expect(back.id).toBeNull();
      else expect(back.id, id).toBe(id);
    }
    expect(sessionFileName('a.b')).toBe('a~2Eb');
    expect(sessionFileName('ä')).toBe('~C3~A4');
    // A plain id never collides with an escaped one: plain ids hold no "~".
    expect(sessionFileName('x~y')).toBe('x~7Ey');
  });

  it('bounds long non-ASCII ids with a hash (reversed through the pointer, not the name)', () => {
    const id = '😀'.repeat(40);
    const name = sessionFileName(id);
    expect(name).toMatch(/~~[0-9a-f]{32}$/);
    expect(name.length).toBeLessThan(140);
    expect(sessionIdOfFileName(name)).toEqual({ id: null, hashed: true });
    expect(sessionFileName('😀'.repeat(39) + '😁')).not.toBe(name);
  });

  it('gives no id for names nothing maps to', () => {
    for (const name of ['a.b', '~2e', '~41', '~C3', 'a/b', '', '~~', '~ZZ']) expect(sessionIdOfFileName(name).id, name).toBeNull();
  });
});
