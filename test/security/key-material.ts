/**
 * Every secret key in a session's auth folder (creds, pre-keys, Signal session records, sender
 * keys), and the ways a printer could render it: contiguous hex, Node's `<Buffer 0a 1b …>` inspect
 * form, base64 and base64url. Prefixes of 12 bytes are enough (a truncated print still counts) and
 * long enough that a random match is impossible.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BufferJSON } from '@whiskeysockets/baileys';

/** Property names that hold private or symmetric key material in Baileys' and libsignal's JSON. */
const SECRET_FIELD = /^(private|privKey|rootKey|key|chainKey|cipherKey|macKey|advSecretKey|seed|signature)$/;
/** Fields named like secrets that are public or not secret. */
const NOT_SECRET_PARENT = /^(public|pubKey|remoteIdentityKey|baseKey|signedPreKey\.public)$/;
const PREFIX_BYTES = 12;

export interface SecretKey {
  file: string;
  path: string;
  bytes: Buffer;
}

export function secretKeysIn(authDir: string): SecretKey[] {
  const out: SecretKey[] = [];
  for (const file of readdirSync(authDir).filter((f) => f.endsWith('.json') && f !== 'generation.json')) {
    const value: unknown = JSON.parse(readFileSync(join(authDir, file), 'utf8'), BufferJSON.reviver);
    walk(value, '', (path, field, v) => {
      if (!SECRET_FIELD.test(field) || NOT_SECRET_PARENT.test(field)) return;
      const bytes = Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v) : typeof v === 'string' && /^[A-Za-z0-9+/]{40,}={0,2}$/.test(v) ? Buffer.from(v, 'base64') : undefined;
      // Signatures are public; only keys of 16+ bytes are secrets worth a scan.
      if (bytes && bytes.length >= 16 && field !== 'signature') out.push({ file, path, bytes });
    });
  }
  return out;
}

function walk(v: unknown, path: string, visit: (path: string, field: string, value: unknown) => void): void {
  if (!v || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Uint8Array) return;
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    visit(p, k, child);
    // A session file holds libsignal's serialised record as a JSON string: parse it too.
    if (typeof child === 'string' && child.startsWith('{')) {
      try {
        walk(JSON.parse(child), p, visit);
      } catch {
        /* not JSON */
      }
    } else walk(child, p, visit);
  }
}

/** The renderings of a key's first bytes a log scanner looks for. */
export function renderings(bytes: Buffer): string[] {
  const head = bytes.subarray(0, PREFIX_BYTES);
  const hex = head.toString('hex');
  return [
    hex,
    hex.toUpperCase(),
    [...head].map((b) => b.toString(16).padStart(2, '0')).join(' '),
    // base64 of a 12-byte prefix is 16 characters and a stable prefix of the full key's base64.
    head.toString('base64'),
    head.toString('base64url'),
  ];
}

/** Every (key, rendering) found in `text`. */
export function leaks(text: string, keys: SecretKey[]): { file: string; path: string; as: string }[] {
  const found: { file: string; path: string; as: string }[] = [];
  for (const k of keys) for (const r of renderings(k.bytes)) if (text.includes(r)) found.push({ file: k.file, path: k.path, as: r });
  return found;
}
