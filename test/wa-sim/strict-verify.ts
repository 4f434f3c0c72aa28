/**
 * A signature check that can fail. Baileys rc14's `Curve.verify` wraps libsignal 6's
 * `verifySignature`, which returns false instead of throwing, so Baileys' own check accepts anything.
 * This uses the same libsignal curve module Baileys loads (resolved from Baileys' own location).
 */
import { createRequire } from 'node:module';

const requireFromBaileys = createRequire(createRequire(import.meta.url).resolve('@whiskeysockets/baileys'));

interface LibsignalCurve {
  verifySignature(pub: Buffer, msg: Buffer, sig: Buffer, isInit?: boolean): boolean;
}
const curve = requireFromBaileys('libsignal/src/curve.js') as LibsignalCurve;

export function curveVerify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const key = pub.length === 33 ? Buffer.from(pub) : Buffer.concat([Buffer.from([5]), pub]);
  try {
    return curve.verifySignature(key, Buffer.from(msg), Buffer.from(sig)) === true;
  } catch {
    return false;
  }
}
