/**
 * QR pairing, the phone's side, as pure functions: read what the QR carries and build the
 * `pair-success` the phone's server sends, with an ADV signed device identity the client verifies
 * (account signature over the device details and its identity key, HMAC keyed by the QR's adv secret).
 */
import {
  Curve,
  getBinaryNodeChild,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import type { KeyPair } from './certs.js';
import { xeddsaVerify } from '../../session-host/wa-trust/xeddsa.js';

export interface QrData {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: Buffer;
}

export function parseQr(qr: string): QrData {
  const body = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const [ref, noise, identity, adv] = body.split(',');
  if (!ref || !noise || !identity || !adv) throw new Error('not a WhatsApp pairing QR');
  return {
    ref,
    noiseKey: Buffer.from(noise, 'base64'),
    identityKey: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
  };
}

export interface PairSuccessInput {
  iqId: string;
  deviceJid: string;
  lidJid: string;
  keyIndex: number;
  account: KeyPair;
  clientIdentityKey: Buffer;
  advSecret: Buffer;
}

export function buildPairSuccess(p: PairSuccessInput): BinaryNode {
  const deviceDetails = proto.ADVDeviceIdentity.encode({
    rawId: Math.floor(Math.random() * 0xffffffff),
    timestamp: Math.floor(Date.now() / 1000),
    keyIndex: p.keyIndex,
  }).finish();
  const accountSignature = Curve.sign(
    p.account.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, deviceDetails, p.clientIdentityKey]),
  );
  const details = proto.ADVSignedDeviceIdentity.encode({
    details: deviceDetails,
    accountSignatureKey: p.account.public,
    accountSignature,
  }).finish();
  const identityHmac = proto.ADVSignedDeviceIdentityHMAC.encode({
    details,
    hmac: hmacSign(details, p.advSecret),
  }).finish();
  return {
    tag: 'iq',
    attrs: { from: 's.whatsapp.net', type: 'set', id: p.iqId, t: String(Math.floor(Date.now() / 1000)) },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: { 'key-index': String(p.keyIndex) }, content: identityHmac },
          { tag: 'platform', attrs: { name: 'smba' } },
          { tag: 'device', attrs: { jid: p.deviceJid, lid: p.lidJid } },
        ],
      },
    ],
  };
}

/**
 * Checks the client's `pair-device-sign` reply: its device signature must be valid for the identity
 * key it showed in the QR, over the details the account signed. A real phone would refuse otherwise.
 */
export function verifyPairDeviceSign(reply: BinaryNode, clientIdentityKey: Buffer, account: KeyPair): boolean {
  const sign = getBinaryNodeChild(reply, 'pair-device-sign');
  const idNode = getBinaryNodeChild(sign, 'device-identity');
  if (!idNode || !(idNode.content instanceof Uint8Array)) return false;
  const signed = proto.ADVSignedDeviceIdentity.decode(idNode.content);
  if (!signed.details || !signed.deviceSignature) return false;
  const msg = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, signed.details, clientIdentityKey, account.public]);
  return xeddsaVerify(clientIdentityKey, msg, Buffer.from(signed.deviceSignature));
}
