/**
 * XEdDSA signature verification over Curve25519 (Montgomery) public keys, as libsignal's
 * `curve25519-js` signs: the signer's Edwards sign bit travels in the top bit of the signature's
 * last byte. The Montgomery u is mapped to the Edwards y = (u - 1) / (u + 1) mod p, the sign bit is
 * moved back into the key, and Node's own Ed25519 (OpenSSL) checks the signature.
 *
 * Why not Baileys' `Curve.verify`: in rc14 it wraps libsignal 6's `verifySignature`, which returns
 * false instead of throwing, and Baileys only catches throws — so it never fails.
 */
import { createPublicKey, verify } from 'node:crypto';

const P = 2n ** 255n - 19n;
/** DER SubjectPublicKeyInfo header of a raw 32-byte Ed25519 key (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function fromLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function toLittleEndian32(n: bigint): Buffer {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

function powMod(base: bigint, exp: bigint): bigint {
  let result = 1n;
  for (let b = base % P, e = exp; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) result = (result * b) % P;
  return result;
}

/** Edwards y of a Montgomery u, little-endian; undefined where there is none (u = -1). */
function montgomeryToEdwards(u32: Uint8Array): Buffer | undefined {
  // As curve25519-js unpacks it: the top bit is ignored, the value taken mod p.
  const u = (fromLittleEndian(u32) & ((1n << 255n) - 1n)) % P;
  const denominator = (u + 1n) % P;
  if (denominator === 0n) return undefined;
  return toLittleEndian32((((u - 1n + P) % P) * powMod(denominator, P - 2n)) % P);
}

/**
 * True only for a valid signature. `publicKey` is 32 bytes, or 33 with libsignal's type byte 5.
 * Never throws: malformed input is simply not a valid signature.
 */
export function xeddsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const mont = publicKey.length === 33 && publicKey[0] === 5 ? publicKey.subarray(1) : publicKey;
  if (mont.length !== 32 || signature?.length !== 64) return false;
  const edwards = montgomeryToEdwards(mont);
  if (!edwards) return false;
  const sig = Buffer.from(signature);
  edwards[31]! |= sig[63]! & 0x80;
  sig[63]! &= 0x7f;
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, edwards]), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(message), key, sig);
  } catch {
    return false;
  }
}
