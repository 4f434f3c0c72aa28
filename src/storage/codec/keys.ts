import { createHash } from 'node:crypto';
import { StorageError, StorageErrorCode } from '../errors.js';

/** An AES-256-GCM key with the id written into snapshot headers, so readers pick the right key. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/**
 * The key id is a hash of the key under a fixed label: stable across restarts and workers, safe to
 * store in plain (it reveals nothing usable about the key), and it lets a reader tell "encrypted
 * with a key I don't have" apart from "corrupted".
 */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('wa-gateway-worker/snapshot-key-id/v1\0').update(key).digest('hex').slice(0, 16);
}

/** First key encrypts; all keys decrypt (rotation: current key first, previous after). */
export function toEncryptionKeys(keys: readonly Buffer[]): EncryptionKey[] {
  const out: EncryptionKey[] = [];
  for (const key of keys) {
    if (key.length !== 32) {
      throw new StorageError(StorageErrorCode.INVALID_ARGUMENT, `encryption key must be 32 bytes, got ${key.length}`);
    }
    const id = keyIdOf(key);
    if (!out.some((k) => k.id === id)) out.push({ id, key });
  }
  return out;
}

/** Keys as they travel in the IPC `init` message (base64). */
export function keysFromBase64(values: readonly string[]): Buffer[] {
  return values.map((value) => Buffer.from(value, 'base64'));
}
