/**
 * Server ("responder") side of WhatsApp's Noise_XX_25519_AESGCM_SHA256 handshake: the mirror image of
 * Baileys' lib/Utils/noise-handler.js. Pure crypto, no I/O, so it is unit-tested against Baileys'
 * own client handler in memory.
 *
 * Two details that are easy to get wrong: during the handshake one nonce counter is shared by both
 * directions (each mixIntoKey resets it), and the server's transport keys are the client's swapped.
 */
import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, proto, sha256 } from '@whiskeysockets/baileys';
import { newKeyPair, type KeyPair } from './certs.js';

const EMPTY = Buffer.alloc(0);

function iv(counter: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32BE(counter, 8);
  return b;
}

/** Transport keys after the handshake; counters are per direction. */
export class TransportCipher {
  private readCounter = 0;
  private writeCounter = 0;
  constructor(
    private readonly encKey: Uint8Array,
    private readonly decKey: Uint8Array,
  ) {}

  encrypt(plain: Uint8Array): Buffer {
    return aesEncryptGCM(plain, this.encKey, iv(this.writeCounter++), EMPTY);
  }

  decrypt(cipher: Uint8Array): Buffer {
    return aesDecryptGCM(cipher, this.decKey, iv(this.readCounter++), EMPTY);
  }
}

export interface HandshakeResult {
  /** The client's long-lived noise key: identifies a paired device at login. */
  clientStaticPublic: Buffer;
  payload: proto.ClientPayload;
  transport: TransportCipher;
}

export class NoiseResponder {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private readonly ephemeral: KeyPair = newKeyPair();

  constructor(
    private readonly staticKey: KeyPair,
    private readonly certChain: Uint8Array,
    noiseHeader: Uint8Array,
  ) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.byteLength === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.authenticate(noiseHeader);
  }

  private authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixIntoKey(data: Uint8Array): void {
    const out = Buffer.from(hkdf(Buffer.from(data), 64, { salt: this.salt, info: '' }));
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  private encrypt(plain: Uint8Array): Buffer {
    const out = aesEncryptGCM(plain, this.key, iv(this.counter++), this.hash);
    this.authenticate(out);
    return out;
  }

  private decrypt(cipher: Uint8Array): Buffer {
    const out = aesDecryptGCM(cipher, this.key, iv(this.counter++), this.hash);
    this.authenticate(cipher);
    return out;
  }

  /** Takes the client's encoded HandshakeMessage{clientHello}; returns the encoded serverHello. */
  respondToHello(helloBytes: Uint8Array): Uint8Array {
    const hello = proto.HandshakeMessage.decode(helloBytes);
    const clientEphemeral = hello.clientHello?.ephemeral;
    if (!clientEphemeral || clientEphemeral.length !== 32) throw new Error('clientHello without a 32-byte ephemeral');
    this.clientEphemeral = Buffer.from(clientEphemeral);
    this.authenticate(this.clientEphemeral);
    this.authenticate(this.ephemeral.public);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, this.clientEphemeral));
    const staticEnc = this.encrypt(this.staticKey.public);
    this.mixIntoKey(Curve.sharedKey(this.staticKey.private, this.clientEphemeral));
    const payloadEnc = this.encrypt(this.certChain);
    return proto.HandshakeMessage.encode({
      serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload: payloadEnc },
    }).finish();
  }

  private clientEphemeral: Buffer | undefined;

  /** Takes the client's encoded HandshakeMessage{clientFinish}; completes the handshake. */
  finish(finishBytes: Uint8Array): HandshakeResult {
    const msg = proto.HandshakeMessage.decode(finishBytes);
    const fin = msg.clientFinish;
    if (!fin?.static || !fin.payload || !this.clientEphemeral) throw new Error('unexpected clientFinish');
    const clientStaticPublic = this.decrypt(fin.static);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, clientStaticPublic));
    const payload = proto.ClientPayload.decode(this.decrypt(fin.payload));
    const keys = Buffer.from(hkdf(Buffer.alloc(0), 64, { salt: this.salt, info: '' }));
    // the client encrypts with the first half and decrypts with the second: swap them here
    const transport = new TransportCipher(keys.subarray(32), keys.subarray(0, 32));
    return { clientStaticPublic, payload, transport };
  }
}
