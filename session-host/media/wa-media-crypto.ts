import { createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mediaError } from '../../src/media/media-errors.js';

/**
 * Pure: a medium as WhatsApp stores it — AES-256-CBC ciphertext followed by the first 10 bytes of
 * HMAC-SHA256(macKey, iv ‖ ciphertext) — checked and decrypted. Baileys' own download checks no
 * MAC or hash; here a tampered or truncated blob, or one that is not what the message described,
 * is refused (MEDIA_INVALID) instead of being stored as the contact's medium.
 */
export interface MediaKeys {
  iv: Buffer;
  cipherKey: Buffer;
  macKey: Buffer;
}

export interface ExpectedMedia {
  fileSha256?: Uint8Array | null;
  fileEncSha256?: Uint8Array | null;
}

const MAC_BYTES = 10;

export function decryptMedia(blob: Buffer, keys: MediaKeys, expected: ExpectedMedia): Buffer {
  if (blob.length < MAC_BYTES + 16 || (blob.length - MAC_BYTES) % 16 !== 0) throw mediaError('MEDIA_INVALID', `the downloaded medium has an impossible length (${blob.length} bytes)`);
  if (expected.fileEncSha256 && !sha256(blob).equals(Buffer.from(expected.fileEncSha256))) throw mediaError('MEDIA_INVALID', 'the downloaded medium does not match its fileEncSha256');
  const enc = blob.subarray(0, blob.length - MAC_BYTES);
  const mac = createHmac('sha256', keys.macKey).update(keys.iv).update(enc).digest().subarray(0, MAC_BYTES);
  if (!timingSafeEqual(mac, blob.subarray(blob.length - MAC_BYTES))) throw mediaError('MEDIA_INVALID', 'the downloaded medium fails its MAC');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', keys.cipherKey, keys.iv);
    plain = Buffer.concat([decipher.update(enc), decipher.final()]);
  } catch {
    throw mediaError('MEDIA_INVALID', 'the downloaded medium does not decrypt');
  }
  if (expected.fileSha256 && !sha256(plain).equals(Buffer.from(expected.fileSha256))) throw mediaError('MEDIA_INVALID', 'the decrypted medium does not match its fileSha256');
  return plain;
}

export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
