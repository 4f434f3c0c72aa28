import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatConsoleArgs, redactString, redactValue } from '../../session-host/log/redact-console.js';
import { leaks } from './key-material.js';

/** What libsignal passes to console.info("Closing session:", session): Buffers in nested objects. */
function fakeSessionEntry(priv: Buffer, root: Buffer) {
  const session: Record<string, unknown> = {
    registrationId: 210,
    currentRatchet: { ephemeralKeyPair: { pubKey: randomBytes(33), privKey: priv }, rootKey: root, previousCounter: 0 },
    indexInfo: { baseKey: randomBytes(33), closed: -1, used: 1796283279368 },
    _chains: { [randomBytes(33).toString('base64')]: { chainKey: { counter: 1, key: randomBytes(32) }, messageKeys: {} } },
  };
  session.self = session; // a cycle
  return session;
}

describe('console redaction (pure)', () => {
  it('a session record printed whole keeps its shape and loses every key byte', () => {
    const priv = randomBytes(32);
    const root = randomBytes(32);
    const line = formatConsoleArgs(['Closing session:', fakeSessionEntry(priv, root)]);
    expect(line).toMatch(/^Closing session: \{"registrationId":210,"currentRatchet":\{"ephemeralKeyPair":\{"pubKey":"\[33 bytes\]","privKey":"\[32 bytes\]"\}/);
    expect(line).toContain('"self":"[circular]"');
    expect(leaks(line, [{ file: 'x', path: 'priv', bytes: priv }, { file: 'x', path: 'root', bytes: root }])).toEqual([]);
  });

  it('encoded keys inside strings are redacted in every rendering; prose, paths and JIDs are kept', () => {
    const k = randomBytes(32);
    for (const form of [k.toString('hex'), k.toString('base64'), k.toString('base64url'), require0x(k), spaced(k), `<Buffer ${spaced(k)}>`]) {
      const out = redactString(`key=${form} end`);
      expect(out).toContain('[redacted]');
      expect(leaks(out, [{ file: 'x', path: 'k', bytes: k }])).toEqual([]);
    }
    const prose = 'Failed to decrypt message with any known session... at /app/node_modules/libsignal/src/session_cipher.js:157 from 15550001111@s.whatsapp.net';
    expect(redactString(prose)).toBe(prose);
  });

  it('typed arrays, ArrayBuffers, JSON-shaped Buffers and errors', () => {
    expect(redactValue(new Uint8Array(7))).toBe('[7 bytes]');
    expect(redactValue(new ArrayBuffer(5))).toBe('[5 bytes]');
    expect(redactValue(JSON.parse(JSON.stringify(Buffer.alloc(4))))).toBe('[4 bytes]');
    const k = randomBytes(32).toString('hex');
    expect(redactValue(new Error(`bad key ${k}`))).toMatchObject({ name: 'Error', message: 'bad key [redacted]' });
    expect(redactValue({ a: { b: { c: { d: { e: 1 } } } } })).toEqual({ a: { b: { c: { d: '[object]' } } } });
  });
});

function spaced(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}
function require0x(b: Buffer): string {
  return `0x${b.toString('hex')}`;
}
