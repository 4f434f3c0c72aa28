/**
 * Pairing by phone-number code, the primary phone's side, as pure crypto (read from Baileys rc14
 * `Socket/socket.js` `requestPairingCode` and `Socket/messages-recv.js` `link_code_companion_reg`).
 * Written with Node's own primitives (PBKDF2, AES-CTR, AES-GCM, HKDF) rather than Baileys' helpers,
 * so a pairing through the simulator proves Baileys interoperates with the algorithm, not with itself.
 *
 * 1. companion_hello: the companion sends its ephemeral public key wrapped under the code:
 *    `salt(32) | iv(16) | AES-256-CTR(pub, PBKDF2-SHA256(code, salt, 131072 rounds))`.
 * 2. The user types the code on the phone; the phone unwraps that key, makes its own ephemeral
 *    key pair and sends it wrapped the same way, with its identity key (`primary_identity_pub`).
 * 3. companion_finish: the companion sends a key bundle
 *    `salt(32) | iv(12) | AES-256-GCM(companionIdentity | primaryIdentity | random(32))` keyed by
 *    HKDF(X25519(ephemerals), salt, "link_code_pairing_key_bundle_encryption_key"). A wrong code
 *    gives each side another shared key: the GCM tag fails here, at the phone.
 * 4. Both derive the ADV secret HKDF(ephemeralShared | identityShared | random, "adv_secret"), which
 *    keys the HMAC of the `pair-success` device identity (pairing.ts), as the QR's secret does.
 */
import { createCipheriv, createDecipheriv, hkdfSync, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Curve } from '@whiskeysockets/baileys';
import type { KeyPair } from './certs.js';

const pbkdf2Async = promisify(pbkdf2);
const PBKDF2_ROUNDS = 2 << 16;
const BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key';
const ADV_INFO = 'adv_secret';

/** What a person types: Baileys shows 8 Crockford characters; the phone ignores case and a dash. */
export function normalizeCode(code: string): string {
  return code.replace(/[-\s]/g, '').toUpperCase();
}

async function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(code, 'utf8'), salt, PBKDF2_ROUNDS, 32, 'sha256');
}

/** `salt | iv | ct` → the 32-byte public key inside (garbage, undetectably, under a wrong code). */
export async function unwrapEphemeral(wrapped: Buffer, code: string): Promise<Buffer> {
  if (wrapped.length < 80) throw new Error(`wrapped ephemeral key is ${wrapped.length} bytes, expected 80`);
  const key = await codeKey(code, wrapped.subarray(0, 32));
  const d = createDecipheriv('aes-256-ctr', key, wrapped.subarray(32, 48));
  return Buffer.concat([d.update(wrapped.subarray(48, 80)), d.final()]);
}

export async function wrapEphemeral(pub: Buffer, code: string): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-ctr', await codeKey(code, salt), iv);
  return Buffer.concat([salt, iv, c.update(pub), c.final()]);
}

export interface PrimaryHello {
  /** The phone's fresh ephemeral key pair. */
  ephemeral: KeyPair;
  /** The companion's ephemeral public key as the phone read it with the code it was given. */
  companionEphemeral: Buffer;
  /** `link_code_pairing_wrapped_primary_ephemeral_pub`. */
  wrappedPrimaryEphemeral: Buffer;
}

/** Step 2: what the phone sends after the user typed `code`. */
export async function primaryHello(wrappedCompanionEphemeral: Buffer, code: string): Promise<PrimaryHello> {
  const companionEphemeral = await unwrapEphemeral(wrappedCompanionEphemeral, code);
  const kp = Curve.generateKeyPair();
  const ephemeral = { public: Buffer.from(kp.public), private: Buffer.from(kp.private) };
  return { ephemeral, companionEphemeral, wrappedPrimaryEphemeral: await wrapEphemeral(ephemeral.public, code) };
}

export class WrongPairingCodeError extends Error {
  readonly code = 'WRONG_PAIRING_CODE';
}

/**
 * Step 3 and 4 at the phone: opens the companion's key bundle and derives the ADV secret. Throws
 * WrongPairingCodeError when the bundle does not open (the code typed was not the code shown) or
 * names other identities than the ones exchanged.
 */
export function openKeyBundle(p: {
  hello: PrimaryHello;
  bundle: Buffer;
  companionIdentity: Buffer;
  primaryIdentity: KeyPair;
}): { advSecret: Buffer } {
  const { hello, bundle, companionIdentity, primaryIdentity } = p;
  if (bundle.length < 32 + 12 + 16 + 96) throw new WrongPairingCodeError(`key bundle is ${bundle.length} bytes`);
  const ephemeralShared = Buffer.from(Curve.sharedKey(hello.ephemeral.private, hello.companionEphemeral));
  const key = Buffer.from(hkdfSync('sha256', ephemeralShared, bundle.subarray(0, 32), BUNDLE_INFO, 32));
  const body = bundle.subarray(44);
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-gcm', key, bundle.subarray(32, 44));
    d.setAuthTag(body.subarray(body.length - 16));
    plain = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
  } catch {
    throw new WrongPairingCodeError('the key bundle does not open: the code typed on the phone is not the one the companion shows');
  }
  if (plain.length !== 96) throw new WrongPairingCodeError(`key bundle holds ${plain.length} bytes, expected 96`);
  if (!plain.subarray(0, 32).equals(companionIdentity) || !plain.subarray(32, 64).equals(primaryIdentity.public)) {
    throw new WrongPairingCodeError('the key bundle names other identity keys than the ones exchanged');
  }
  const identityShared = Buffer.from(Curve.sharedKey(primaryIdentity.private, companionIdentity));
  const ikm = Buffer.concat([ephemeralShared, identityShared, plain.subarray(64, 96)]);
  return { advSecret: Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), ADV_INFO, 32)) };
}
