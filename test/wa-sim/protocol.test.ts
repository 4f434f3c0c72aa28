/**
 * The simulator's protocol pieces against Baileys' own client code, in memory (one file: one fork and
 * one Baileys import). The server handshake against Baileys' noise handler: if these agree, a real
 * socket will too, and an untrusted chain must be refused. The pair-success against Baileys'
 * configureSuccessfulPairing.
 */
import {
  buildPairingQRData,
  configureSuccessfulPairing,
  Curve,
  decodeBinaryNode,
  encodeBinaryNode,
  initAuthCreds,
  makeNoiseHandler,
  NOISE_WA_HEADER,
  proto,
  WA_CERT_DETAILS,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCertAuthority, makeCertChain, newKeyPair } from './certs.js';
import { encodeFrame, FrameReader } from './framing.js';
import { NoiseResponder } from './noise-responder.js';
import { buildPairSuccess, parseQr, verifyPairDeviceSign } from './pairing.js';
import { xeddsaVerify } from '../../session-host/wa-trust/xeddsa.js';

const logger = pino({ level: 'silent' });
type RootKey = typeof WA_CERT_DETAILS.PUBLIC_KEY;
const originalRoot: RootKey = WA_CERT_DETAILS.PUBLIC_KEY;
const originalVerify = Curve.verify;

afterEach(() => {
  WA_CERT_DETAILS.PUBLIC_KEY = originalRoot;
  Curve.verify = originalVerify;
});

function handshake(trustRoot: boolean) {
  const ca = makeCertAuthority();
  const serverStatic = newKeyPair();
  if (trustRoot) WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(ca.root.public) as RootKey;
  Curve.verify = xeddsaVerify;
  const clientEphemeral = Curve.generateKeyPair();
  const noiseKey = Curve.generateKeyPair();
  const client = makeNoiseHandler({ keyPair: clientEphemeral, NOISE_HEADER: NOISE_WA_HEADER, logger });
  const server = new NoiseResponder(serverStatic, makeCertChain(ca, serverStatic.public), NOISE_WA_HEADER);
  const reader = new FrameReader();

  const hello = proto.HandshakeMessage.encode({ clientHello: { ephemeral: clientEphemeral.public } }).finish();
  const [helloFrame] = reader.push(client.encodeFrame(hello));
  const serverHello = proto.HandshakeMessage.decode(server.respondToHello(helloFrame!));
  const keyEnc = client.processHandshake(serverHello, noiseKey);
  const payload = proto.ClientPayload.encode({ username: 15550001111, device: 3, passive: true }).finish();
  const finish = proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload: client.encrypt(payload) } }).finish();
  const [finishFrame] = reader.push(client.encodeFrame(finish));
  return { client, server, reader, noiseKey, finishFrame: finishFrame! };
}

describe('NoiseResponder', () => {
  it('completes the XX handshake with the Baileys client and then exchanges nodes both ways', async () => {
    const { client, server, reader, noiseKey, finishFrame } = handshake(true);
    const result = server.finish(finishFrame);
    expect(result.clientStaticPublic).toEqual(Buffer.from(noiseKey.public));
    expect(String(result.payload.username)).toBe('15550001111');
    expect(result.payload.device).toBe(3);
    await client.finishInit();

    for (let i = 0; i < 3; i++) {
      const [f] = reader.push(client.encodeFrame(encodeBinaryNode({ tag: 'iq', attrs: { id: `c${i}` } })));
      expect((await decodeBinaryNode(result.transport.decrypt(f!))).attrs.id).toBe(`c${i}`);
      const out = encodeFrame(result.transport.encrypt(encodeBinaryNode({ tag: 'iq', attrs: { id: `s${i}` } })));
      const got: string[] = [];
      await client.decodeFrame(out, (frame) => got.push(frame instanceof Uint8Array ? 'raw' : String(frame.attrs.id)));
      expect(got).toEqual([`s${i}`]);
    }
  });

  it('is refused by a strictly verifying client that does not trust the simulator root', () => {
    expect(() => handshake(false)).toThrow(/intermediate certificate signature invalid/);
  });
});

describe('pairing', () => {
  const creds = initAuthCreds();
  const qr = buildPairingQRData(
    '2@ref',
    Buffer.from(creds.noiseKey.public).toString('base64'),
    Buffer.from(creds.signedIdentityKey.public).toString('base64'),
    creds.advSecretKey,
    ['Mac OS', 'Chrome', '14'],
  );

  it('reads the QR Baileys shows', () => {
    const q = parseQr(qr);
    expect(q.ref).toBe('2@ref');
    expect(q.noiseKey).toEqual(Buffer.from(creds.noiseKey.public));
    expect(q.advSecret).toEqual(Buffer.from(creds.advSecretKey, 'base64'));
    expect(() => parseQr('https://example.invalid/#only-one')).toThrow(/not a WhatsApp pairing QR/);
  });

  it("builds a pair-success Baileys accepts, and checks the client's device signature", () => {
    const account = newKeyPair();
    const q = parseQr(qr);
    const node = buildPairSuccess({
      iqId: 'p1',
      deviceJid: '15550001111:1@s.whatsapp.net',
      lidJid: '123456789012345:1@lid',
      keyIndex: 1,
      account,
      clientIdentityKey: q.identityKey,
      advSecret: q.advSecret,
    });
    const original = Curve.verify;
    Curve.verify = xeddsaVerify; // Baileys' own check, made able to fail
    try {
      const { creds: update, reply } = configureSuccessfulPairing(node, creds);
      expect(update.me?.id).toBe('15550001111:1@s.whatsapp.net');
      expect(update.me?.lid).toBe('123456789012345:1@lid');
      expect(verifyPairDeviceSign(reply, q.identityKey, account)).toBe(true);
      expect(verifyPairDeviceSign(reply, q.identityKey, newKeyPair())).toBe(false);
      // an HMAC keyed by another adv secret is refused by the client
      const forged = buildPairSuccess({
        iqId: 'p2',
        deviceJid: '15550001111:1@s.whatsapp.net',
        lidJid: '1:1@lid',
        keyIndex: 1,
        account,
        clientIdentityKey: q.identityKey,
        advSecret: Buffer.alloc(32, 7),
      });
      expect(() => configureSuccessfulPairing(forged, creds)).toThrow(/Invalid account signature/);
    } finally {
      Curve.verify = original;
    }
  });
});

describe('strict signature check', () => {
  it('accepts a real signature and rejects a tampered one (rc14 Curve.verify accepts both)', () => {
    const kp = Curve.generateKeyPair();
    const msg = Buffer.from('certificate details');
    const sig = Curve.sign(kp.private, msg);
    expect(xeddsaVerify(kp.public, msg, sig)).toBe(true);
    const bad = Buffer.from(sig);
    bad[5] = bad[5]! ^ 0xff;
    expect(xeddsaVerify(kp.public, msg, bad)).toBe(false);
    expect(Curve.verify(kp.public, msg, bad)).toBe(true);
  });
});
