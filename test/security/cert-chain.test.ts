/**
 * The pure verdict on the server's Noise certificate chain (session-host/wa-trust/cert-chain.ts)
 * and the XEdDSA check under it, against chains signed by Baileys' own (libsignal) signer.
 */
import { randomBytes } from 'node:crypto';
import { Curve, proto } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { verifyCertChain, type CertChainInput } from '../../session-host/wa-trust/cert-chain.js';
import { xeddsaVerify } from '../../session-host/wa-trust/xeddsa.js';

const Details = proto.CertChain.NoiseCertificate.Details;
const NOW = 1_800_000_000;
const DAY = 86_400;

interface ChainParts {
  rootPrivate?: Uint8Array;
  intermediate?: Partial<proto.CertChain.NoiseCertificate.IDetails>;
  leaf?: Partial<proto.CertChain.NoiseCertificate.IDetails>;
  leafSigner?: Uint8Array;
}

function setup(parts: ChainParts = {}): CertChainInput {
  const root = Curve.generateKeyPair();
  const inter = Curve.generateKeyPair();
  const server = Curve.generateKeyPair();
  const interDetails = Details.encode({ serial: 1, issuerSerial: 0, key: inter.public, notBefore: NOW - DAY, notAfter: NOW + DAY, ...parts.intermediate }).finish();
  const leafDetails = Details.encode({ serial: 2, issuerSerial: 1, key: server.public, notBefore: NOW - DAY, notAfter: NOW + DAY, ...parts.leaf }).finish();
  return {
    chain: {
      intermediate: { details: interDetails, signature: Curve.sign(parts.rootPrivate ?? root.private, interDetails) },
      leaf: { details: leafDetails, signature: Curve.sign(parts.leafSigner ?? inter.private, leafDetails) },
    },
    serverStatic: server.public,
    rootPublicKey: root.public,
    rootSerial: 0,
    nowSeconds: NOW,
  };
}

describe('XEdDSA verification', () => {
  it('accepts libsignal signatures and rejects tampering, another key and malformed input', () => {
    for (let i = 0; i < 20; i++) {
      const kp = Curve.generateKeyPair();
      const msg = randomBytes(1 + i * 7);
      const sig = Curve.sign(kp.private, msg);
      expect(xeddsaVerify(kp.public, msg, sig)).toBe(true);
      expect(xeddsaVerify(Buffer.concat([Buffer.from([5]), kp.public]), msg, sig)).toBe(true);
      const badSig = Buffer.from(sig);
      badSig[i % 64] ^= 0x01;
      expect(xeddsaVerify(kp.public, msg, badSig)).toBe(false);
      const badMsg = Buffer.from(msg);
      badMsg[0] ^= 0x01;
      expect(xeddsaVerify(kp.public, badMsg, sig)).toBe(false);
      expect(xeddsaVerify(Curve.generateKeyPair().public, msg, sig)).toBe(false);
    }
    const kp = Curve.generateKeyPair();
    expect(xeddsaVerify(kp.public, Buffer.from('x'), Buffer.alloc(63))).toBe(false);
    expect(xeddsaVerify(Buffer.alloc(31), Buffer.from('x'), Buffer.alloc(64))).toBe(false);
    expect(xeddsaVerify(Buffer.alloc(32, 0xff), Buffer.from('x'), Buffer.alloc(64))).toBe(false);
  });
});

describe('certificate chain verdict', () => {
  it('a chain from the trusted root for the server static key passes', () => {
    expect(verifyCertChain(setup())).toEqual({ ok: true });
  });

  it.each([
    ['another root signed the intermediate', { rootPrivate: Curve.generateKeyPair().private }, /not signed by the trusted root/],
    ['the intermediate names another issuer than the root', { intermediate: { issuerSerial: 7 } }, /intermediate issued by serial 7/],
    ['the leaf names another issuer than the intermediate', { leaf: { issuerSerial: 9 } }, /leaf issued by serial 9/],
    ['another key signed the leaf', { leafSigner: Curve.generateKeyPair().private }, /leaf certificate is not signed by the intermediate/],
    ['the leaf vouches for another key', { leaf: { key: Curve.generateKeyPair().public } }, /another key than the server's static key/],
    ['the leaf expired', { leaf: { notAfter: NOW - DAY } }, /leaf certificate expired/],
    ['the intermediate is not valid yet', { intermediate: { notBefore: NOW + DAY } }, /intermediate certificate is not valid before/],
    ['the intermediate key is not 32 bytes', { intermediate: { key: Buffer.alloc(16) } }, /not 32 bytes/],
  ] as const)('%s → refused', (_what, parts, problem) => {
    const verdict = verifyCertChain(setup(parts as ChainParts));
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.problem).toMatch(problem);
  });

  it('a missing static key, certificate or signature is refused; a few minutes of clock skew are not', () => {
    expect(verifyCertChain({ ...setup(), serverStatic: undefined })).toMatchObject({ ok: false, problem: expect.stringMatching(/static key was not seen/) });
    const input = setup();
    expect(verifyCertChain({ ...input, chain: { intermediate: input.chain.intermediate } })).toMatchObject({ ok: false, problem: expect.stringMatching(/leaf certificate missing/) });
    expect(verifyCertChain({ ...input, chain: { ...input.chain, intermediate: { details: input.chain.intermediate!.details, signature: Buffer.alloc(10) } } })).toMatchObject({ ok: false });
    expect(verifyCertChain(setup({ leaf: { notAfter: NOW - 60 } }))).toEqual({ ok: true });
    // Without validity fields nothing is assumed about time.
    expect(verifyCertChain(setup({ leaf: { notBefore: 0, notAfter: 0 }, intermediate: { notBefore: 0, notAfter: 0 } }))).toEqual({ ok: true });
  });
});
