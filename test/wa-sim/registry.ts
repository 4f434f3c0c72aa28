/**
 * What the simulated server remembers: accounts (a phone number with its primary-device identity),
 * their linked devices (the Baileys clients), and the keys those devices uploaded. No I/O.
 */
import { newKeyPair, type KeyPair } from './certs.js';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { SimConnection } from './connection.js';

export interface SignedPreKeyRecord {
  keyId: number;
  publicKey: Buffer;
  signature: Buffer;
}

export interface DeviceRecord {
  phone: string;
  deviceId: number;
  deviceJid: string;
  lidJid: string;
  /** The client's noise key: a login must present exactly this key. */
  noiseKey: Buffer;
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: SignedPreKeyRecord;
  /** One-time prekeys the client uploaded; a bundle served to a peer consumes one. */
  preKeys: Map<number, Buffer>;
  conn: SimConnection | undefined;
  /**
   * Messages contacts sent while the device was not connected, already encrypted for it, oldest
   * first. Sent at its next login with `offline`, followed by `<ib><offline count/>`; an entry
   * leaves the queue only on the device's receipt (a connection lost first gets it again).
   */
  offline: QueuedMessage[];
}

export interface QueuedMessage {
  id: string;
  from: string;
  node: BinaryNode;
}

export interface AccountRecord {
  phone: string;
  lidUser: string;
  /** The account (primary phone) identity: signs device identities, is the phone's Signal identity. */
  identity: KeyPair;
  nextDeviceId: number;
  devices: Map<number, DeviceRecord>;
}

export class Registry {
  private readonly accounts = new Map<string, AccountRecord>();
  /** Numbers a test registered or that took part in a conversation (see `isOnWhatsApp`). */
  private readonly contacts = new Set<string>();

  /** Marks `phone` as a WhatsApp user (a contact the test registered, or one that sent or received). */
  registerContact(phone: string): void {
    this.contacts.add(phone);
  }

  /**
   * What the usync `contact` protocol answers (`in`/`out`): an account that ever linked a device, a
   * registered contact, or one that sent or received a message. Any other number is absent — the
   * registry still creates accounts on demand for device lookups, so this is kept apart from them.
   */
  isOnWhatsApp(phone: string): boolean {
    const acc = this.accounts.get(phone);
    return this.contacts.has(phone) || (acc !== undefined && acc.nextDeviceId > 1);
  }

  account(phone: string): AccountRecord {
    const existing = this.accounts.get(phone);
    if (existing) return existing;
    const acc: AccountRecord = {
        phone,
        lidUser: randomDigits(15),
        identity: newKeyPair(),
        nextDeviceId: 1,
      devices: new Map(),
    };
    this.accounts.set(phone, acc);
    return acc;
  }

  findAccount(phone: string): AccountRecord | undefined {
    return this.accounts.get(phone);
  }

  findAccountByLid(lidUser: string): AccountRecord | undefined {
    for (const acc of this.accounts.values()) if (acc.lidUser === lidUser) return acc;
    return undefined;
  }

  device(phone: string, deviceId: number): DeviceRecord | undefined {
    return this.accounts.get(phone)?.devices.get(deviceId);
  }

  allDevices(): DeviceRecord[] {
    return [...this.accounts.values()].flatMap((a) => [...a.devices.values()]);
  }

  /** Removes one linked device (a logout); the account and its other devices stay. */
  removeDevice(phone: string, deviceId: number): DeviceRecord | undefined {
    const devices = this.accounts.get(phone)?.devices;
    const d = devices?.get(deviceId);
    if (d) devices!.delete(deviceId);
    return d;
  }

  forget(phone: string): DeviceRecord[] {
    const acc = this.accounts.get(phone);
    if (!acc) return [];
    const removed = [...acc.devices.values()];
    acc.devices.clear();
    return removed;
  }
}

export function randomDigits(n: number): string {
  let s = String(1 + Math.floor(Math.random() * 9));
  while (s.length < n) s += String(Math.floor(Math.random() * 10));
  return s;
}
