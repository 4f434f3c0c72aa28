/**
 * The simulator's own certificate chain. Baileys checks: leaf signed by the intermediate's key,
 * intermediate signed by the root (`WA_CERT_DETAILS.PUBLIC_KEY`), intermediate `issuerSerial === 0`.
 * The simulator makes its own root, so only a client that trusts that root (the preload) accepts it.
 */
import { Curve, proto } from '@whiskeysockets/baileys';

export interface KeyPair {
  public: Buffer;
  private: Buffer;
}

export interface SimCertAuthority {
  root: KeyPair;
  intermediate: KeyPair;
}

/** A Curve25519 key pair as Buffers (Baileys types them as Uint8Array but makes Buffers). */
export function newKeyPair(): KeyPair {
  const kp = Curve.generateKeyPair();
  return { public: Buffer.from(kp.public), private: Buffer.from(kp.private) };
}

export function makeCertAuthority(): SimCertAuthority {
  return { root: newKeyPair(), intermediate: newKeyPair() };
}

const YEAR_S = 365 * 24 * 3600;

/** Encoded `proto.CertChain` vouching for `serverStaticPublic` (the noise static key). */
export function makeCertChain(ca: SimCertAuthority, serverStaticPublic: Uint8Array): Uint8Array {
  const now = Math.floor(Date.now() / 1000);
  const Details = proto.CertChain.NoiseCertificate.Details;
  const intermediateDetails = Details.encode({
    serial: 1,
    issuerSerial: 0,
    key: ca.intermediate.public,
    notBefore: now - YEAR_S,
    notAfter: now + YEAR_S,
  }).finish();
  const leafDetails = Details.encode({
    serial: 2,
    issuerSerial: 1,
    key: serverStaticPublic,
    notBefore: now - YEAR_S,
    notAfter: now + YEAR_S,
  }).finish();
  return proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(ca.root.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(ca.intermediate.private, leafDetails) },
  }).finish();
}
