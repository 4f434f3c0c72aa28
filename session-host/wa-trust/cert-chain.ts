/**
 * Pure verdict on the WhatsApp server's Noise certificate chain (the handshake's server hello),
 * checked as whatsmeow and WhatsApp Web do:
 * 1. both certificates present, each with a 64-byte signature;
 * 2. the intermediate names the root as issuer (`issuerSerial` = root serial, 0) and carries a
 *    32-byte key, and the root's key signed it;
 * 3. the leaf names the intermediate as issuer (`issuerSerial` = intermediate `serial`), and the
 *    intermediate's key signed it;
 * 4. the leaf vouches for the key the server proved it holds in the handshake (its Noise static
 *    key) — without this a man in the middle could replay WhatsApp's real, public chain;
 * 5. each certificate is inside its validity window (`notBefore`/`notAfter`, seconds, when set),
 *    with a small allowance for clock skew.
 */
import { proto } from '@whiskeysockets/baileys';
import { xeddsaVerify } from './xeddsa.js';

export interface CertChainInput {
  /** The decoded `proto.CertChain` of the server hello. */
  chain: proto.ICertChain;
  /** The server's Noise static public key from the same handshake; undefined if not seen. */
  serverStatic: Uint8Array | undefined;
  rootPublicKey: Uint8Array;
  rootSerial: number;
  nowSeconds: number;
  /** Tolerated clock difference for the validity windows. */
  skewSeconds?: number;
}

export type CertVerdict = { ok: true } | { ok: false; problem: string };

const DEFAULT_SKEW_S = 10 * 60;
type Details = proto.CertChain.NoiseCertificate.IDetails;

function seconds(v: Details['notBefore']): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

function decodeDetails(bytes: Uint8Array): Details | undefined {
  try {
    return proto.CertChain.NoiseCertificate.Details.decode(bytes);
  } catch {
    return undefined;
  }
}

function outsideWindow(name: string, d: Details, now: number, skew: number): string | undefined {
  const notBefore = seconds(d.notBefore);
  const notAfter = seconds(d.notAfter);
  if (notBefore > 0 && now + skew < notBefore) return `${name} certificate is not valid before ${new Date(notBefore * 1000).toISOString()}`;
  if (notAfter > 0 && now - skew > notAfter) return `${name} certificate expired at ${new Date(notAfter * 1000).toISOString()}`;
  return undefined;
}

export function verifyCertChain(input: CertChainInput): CertVerdict {
  const fail = (problem: string): CertVerdict => ({ ok: false, problem });
  const { intermediate, leaf } = input.chain;
  if (!intermediate?.details || intermediate.signature?.length !== 64) return fail('intermediate certificate missing or malformed');
  if (!leaf?.details || leaf.signature?.length !== 64) return fail('leaf certificate missing or malformed');
  const inter = decodeDetails(intermediate.details);
  const leafDetails = decodeDetails(leaf.details);
  if (!inter || !leafDetails) return fail('certificate details do not decode');

  if ((inter.issuerSerial ?? 0) !== input.rootSerial) return fail(`intermediate issued by serial ${inter.issuerSerial}, expected the root (${input.rootSerial})`);
  if (inter.key?.length !== 32) return fail('intermediate certificate key is not 32 bytes');
  if (!xeddsaVerify(input.rootPublicKey, intermediate.details, intermediate.signature)) return fail('intermediate certificate is not signed by the trusted root key');

  if ((leafDetails.issuerSerial ?? 0) !== (inter.serial ?? 0)) return fail(`leaf issued by serial ${leafDetails.issuerSerial}, expected the intermediate (${inter.serial})`);
  if (!xeddsaVerify(inter.key, leaf.details, leaf.signature)) return fail('leaf certificate is not signed by the intermediate key');

  if (!input.serverStatic) return fail("the server's static key was not seen before its certificate");
  if (!leafDetails.key || Buffer.compare(Buffer.from(leafDetails.key), Buffer.from(input.serverStatic)) !== 0) {
    return fail("leaf certificate vouches for another key than the server's static key");
  }
  const skew = input.skewSeconds ?? DEFAULT_SKEW_S;
  const window = outsideWindow('intermediate', inter, input.nowSeconds, skew) ?? outsideWindow('leaf', leafDetails, input.nowSeconds, skew);
  return window ? fail(window) : { ok: true };
}
