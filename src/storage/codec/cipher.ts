import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from './keys.js';

/** AES-256-GCM with a fresh 96-bit IV per snapshot; the 16-byte tag is appended to the ciphertext. */
export const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(key: EncryptionKey, plaintext: Buffer, aad: Buffer, iv: Buffer = randomBytes(IV_BYTES)): { iv: Buffer; sealed: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, sealed: body };
}

/** Throws when the tag does not verify (wrong key or altered bytes); the caller names the cause. */
export function open(key: EncryptionKey, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < TAG_BYTES) throw new Error('sealed body shorter than the tag');
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
}
