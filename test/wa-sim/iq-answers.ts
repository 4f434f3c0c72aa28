/**
 * Answers the simulator gives to a logged-in device's routine queries, and what it keeps from them
 * (pure helpers of simulator.ts).
 */
import { getBinaryNodeChild, type BinaryNode } from '@whiskeysockets/baileys';
import { childBytes, children, readUIntBE } from './iq.js';
import type { DeviceRecord } from './registry.js';

export function storeUploadedKeys(device: DeviceRecord, node: BinaryNode): void {
  const identity = childBytes(node, 'identity');
  if (identity && !identity.equals(device.identityKey)) {
    throw new Error(`device ${device.deviceJid} uploaded keys under another identity`);
  }
  const reg = childBytes(node, 'registration');
  if (reg) device.registrationId = readUIntBE(reg);
  for (const key of children(getBinaryNodeChild(node, 'list'), 'key')) {
    const id = childBytes(key, 'id');
    const value = childBytes(key, 'value');
    if (id && value) device.preKeys.set(readUIntBE(id), value);
  }
  const skey = getBinaryNodeChild(node, 'skey');
  const skeyId = childBytes(skey, 'id');
  const skeyVal = childBytes(skey, 'value');
  const skeySig = childBytes(skey, 'signature');
  if (skeyId && skeyVal && skeySig) {
    device.signedPreKey = { keyId: readUIntBE(skeyId), publicKey: skeyVal, signature: skeySig };
  }
}

/**
 * Queries Baileys fires right after `open` (fetchProps, fetchBlocklist, fetchPrivacySettings) or
 * after a first message to a chat (privacy tokens): answered with empty but well-formed results.
 */
export function initQueryAnswer(xmlns: string | undefined, child: BinaryNode | undefined): BinaryNode[] | undefined {
  if (xmlns === 'abt' && child?.tag === 'props') return [{ tag: 'props', attrs: { protocol: '1' } }];
  if (xmlns === 'blocklist' && child === undefined) return [{ tag: 'list', attrs: {} }];
  // WhatsApp's defaults; read receipts on (Baileys then sends `read`, not `read-self`).
  if (xmlns === 'privacy' && child?.tag === 'privacy') return [{ tag: 'privacy', attrs: {}, content: [{ tag: 'category', attrs: { name: 'readreceipts', value: 'all' } }] }];
  // trusted-contact tokens Baileys sets after sending to a new chat
  if (xmlns === 'privacy' && child?.tag === 'tokens') return [];
  return undefined;
}

/** A usync query that asks for devices (a send's device lookup), not a number check alone. */
export function isDeviceListQuery(node: BinaryNode): boolean {
  const query = getBinaryNodeChild(getBinaryNodeChild(node, 'usync'), 'query');
  return getBinaryNodeChild(query, 'devices') !== undefined;
}
