/**
 * Makes Baileys verify the WhatsApp server for real. Called by the host entry before the first
 * socket (and by anything else that runs Baileys against a server, such as the test client).
 *
 * Baileys rc14 checks the Noise certificate chain with `Curve.verify`, which never fails, and never
 * binds the leaf to the server's static key. There is no hook for it, so this wraps three mutable
 * members of the Baileys module instance the process uses (bundling keeps them one instance):
 * - `Curve.verify` → a real XEdDSA check, so Baileys' own two checks mean something too;
 * - `Curve.sharedKey` → notes the last peer key; in `processHandshake` the Diffie-Hellman with the
 *   server's static key runs synchronously right before the chain is decoded, so the key noted then
 *   is the one the server proved it holds;
 * - `proto.CertChain.decode` (only the handshake decodes a CertChain) → decodes, then runs
 *   `verifyCertChain` against `WA_CERT_DETAILS` (WhatsApp's root key and serial; the test preload
 *   swaps in the simulator's root key, nothing else) and throws `UntrustedServerError` on failure.
 * Baileys then ends the socket with that error; the host reports `failed` / `untrusted_server`.
 * Fail closed: a changed Baileys that no longer shows the static key first fails every handshake
 * (the simulator tests catch that at once) instead of silently trusting.
 */
import { Curve, proto, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { verifyCertChain } from './cert-chain.js';
import { xeddsaVerify } from './xeddsa.js';

export const UNTRUSTED_SERVER = 'WA_UNTRUSTED_SERVER';

export class UntrustedServerError extends Error {
  readonly code = UNTRUSTED_SERVER;
  constructor(readonly problem: string) {
    super(`untrusted WhatsApp server: ${problem}`);
    this.name = 'UntrustedServerError';
  }
}

/** Whether Baileys' close error is a failed server verification (ours, or Baileys' own checks). */
export function isUntrustedServerError(error: unknown): boolean {
  if ((error as { code?: unknown } | undefined)?.code === UNTRUSTED_SERVER) return true;
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /noise (intermediate )?certificate signature invalid|certification match failed/.test(message);
}

let installed = false;

export function installServerTrust(): void {
  if (installed) return;
  installed = true;
  let lastPeerKey: Uint8Array | undefined;
  const sharedKey = Curve.sharedKey;
  Curve.sharedKey = (privateKey, publicKey) => {
    lastPeerKey = publicKey;
    return sharedKey(privateKey, publicKey);
  };
  Curve.verify = xeddsaVerify;
  const CertChain = proto.CertChain;
  const decode = CertChain.decode.bind(CertChain);
  CertChain.decode = (reader, length) => {
    const chain = decode(reader, length);
    const serverStatic = lastPeerKey;
    lastPeerKey = undefined;
    const verdict = verifyCertChain({
      chain,
      serverStatic,
      rootPublicKey: WA_CERT_DETAILS.PUBLIC_KEY,
      rootSerial: WA_CERT_DETAILS.SERIAL,
      nowSeconds: Date.now() / 1000,
    });
    if (!verdict.ok) throw new UntrustedServerError(verdict.problem);
    return chain;
  };
}
