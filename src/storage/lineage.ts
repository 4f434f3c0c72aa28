import { createHash } from 'node:crypto';
import type { AuthFiles } from './types.js';

/**
 * The lineage of an auth state: which pairing it belongs to. Generations restart at 1 after a
 * logout and a new pairing, so a generation number means something only next to its lineage
 * (design.md §7). It is derived from the identity key Baileys draws when it creates the creds
 * (`initAuthCreds`) and keeps for the life of that pairing, so every copy of one pairing — a
 * local folder, any snapshot, the original worker's legacy files — names the same lineage without
 * any extra state, and a new pairing (fresh creds) always names a new one.
 */
export const LINEAGE_PATTERN = /^[0-9a-f]{24}$/;
const CREDS_FILE = 'creds.json';

/** Lineage of an auth folder, or null when it holds no creds with an identity key. Pure. */
export function lineageOf(files: AuthFiles): string | null {
  const raw = files.get(CREDS_FILE);
  if (!raw) return null;
  let creds: unknown;
  try {
    creds = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  const key = identityKeyBytes(creds);
  return key ? createHash('sha256').update('wa-auth-lineage\0').update(key).digest('hex').slice(0, 24) : null;
}

/** `signedIdentityKey.public` as Baileys' BufferJSON writes it (`{type:'Buffer', data:<base64>}`) or an older byte array. */
function identityKeyBytes(creds: unknown): Buffer | null {
  const pub = (creds as { signedIdentityKey?: { public?: unknown } } | null)?.signedIdentityKey?.public as { type?: unknown; data?: unknown } | undefined;
  if (!pub || typeof pub !== 'object') return null;
  if (typeof pub.data === 'string' && pub.data.length > 0) return Buffer.from(pub.data, 'base64');
  if (Array.isArray(pub.data) && pub.data.length > 0 && pub.data.every((b) => Number.isInteger(b))) return Buffer.from(pub.data as number[]);
  return null;
}

export function isLineage(value: unknown): value is string {
  return typeof value === 'string' && LINEAGE_PATTERN.test(value);
}
