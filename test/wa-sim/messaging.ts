/**
 * 1:1 text messaging, the server's and the contacts' side. Every account has a simulated phone
 * (device 0, a SignalPeer); linked Baileys devices are DeviceRecords with the keys they uploaded.
 * Answers usync device lookups with LIDs (Baileys 7 drops recipients without a LID mapping), serves
 * prekey bundles (consuming one-time keys), decrypts what a client sends, acks it and sends a
 * delivery receipt, and encrypts contacts' texts to a client.
 */
import {
  encodeWAMessage,
  generateMessageID,
  getBinaryNodeChild,
  jidDecode,
  proto,
  unpadRandomMax16,
  type BinaryNode,
} from '@whiskeysockets/baileys';
import type { SimConnection } from './connection.js';
import { childBytes, children, iqResult, nowSeconds, uintBE } from './iq.js';
import type { AccountRecord, DeviceRecord, Registry } from './registry.js';
import { SignalPeer, type PreKeyBundle } from './signal-peer.js';

export interface SimMessage {
  from: string;
  to: string;
  /** The text of a plain or extended text message; '' for any other kind. */
  text: string;
  id: string;
  /** The whole decrypted `proto.Message` as a plain object (location, contact, poll, reaction, edit, revoke …). */
  content: Record<string, unknown>;
}

export interface MessagingEvents {
  message(m: SimMessage): void;
  /** Every message a simulated phone decrypted, whatever its content (media.ts reads media from it). */
  decoded?(m: { from: string; to: string; id: string; message: proto.IMessage }): void;
  decryptError(e: { from: string; jid: string; error: unknown }): void;
  queued?(e: { phone: string; deviceJid: string; id: string }): void;
  offlineDelivered?(e: { phone: string; deviceJid: string; id: string }): void;
}

const RECEIPT_TIMEOUT_MS = 20_000;

export class Messaging {
  private readonly peers = new Map<string, SignalPeer>();
  private readonly receiptWaiters = new Map<string, (receiptType: string) => void>();

  constructor(
    private readonly registry: Registry,
    private readonly events: MessagingEvents,
  ) {}

  private peer(acc: AccountRecord): SignalPeer {
    let p = this.peers.get(acc.phone);
    if (!p) {
      p = new SignalPeer(acc.identity);
      this.peers.set(acc.phone, p);
    }
    return p;
  }

  /** Account and device a jid names; any phone number is treated as a WhatsApp user. */
  private resolve(jid: string): { acc: AccountRecord; deviceId: number; isLid: boolean } | undefined {
    const d = jidDecode(jid);
    if (!d?.user) return undefined;
    if (d.server === 'lid') {
      const acc = this.registry.findAccountByLid(d.user);
      return acc ? { acc, deviceId: d.device ?? 0, isLid: true } : undefined;
    }
    if (d.server === 's.whatsapp.net' && /^\d+$/.test(d.user)) {
      return { acc: this.registry.account(d.user), deviceId: d.device ?? 0, isLid: false };
    }
    return undefined;
  }

  /** Answers a usync query for the protocols this simulator knows (devices, lid, contact). */
  usync(node: BinaryNode): BinaryNode | undefined {
    const usync = getBinaryNodeChild(node, 'usync');
    const protocols = children(getBinaryNodeChild(usync, 'query')).map((c) => c.tag);
    if (!protocols.some((p) => p === 'devices' || p === 'lid' || p === 'contact')) return undefined;
    const users: BinaryNode[] = [];
    for (const user of children(getBinaryNodeChild(usync, 'list'), 'user')) {
      const phoneContact = childBytes(user, 'contact')?.toString().replace(/\D/g, '');
      const jid = user.attrs.jid ?? (phoneContact ? `${phoneContact}@s.whatsapp.net` : undefined);
      const target = jid ? this.resolve(jid) : undefined;
      if (!jid || !target) continue;
      const content: BinaryNode[] = [];
      for (const p of protocols) {
        if (p === 'devices') content.push(devicesNode(target.acc));
        if (p === 'lid' && !target.isLid) content.push({ tag: 'lid', attrs: { val: `${target.acc.lidUser}@lid` } });
        if (p === 'contact') content.push({ tag: 'contact', attrs: { type: this.registry.isOnWhatsApp(target.acc.phone) ? 'in' : 'out' } });
      }
      users.push({ tag: 'user', attrs: { jid }, content });
    }
    return iqResult(node, [{ tag: 'usync', attrs: {}, content: [{ tag: 'list', attrs: {}, content: users }] }]);
  }

  /** Answers `<iq xmlns=encrypt type=get><key><user jid/>…`: one prekey bundle per device asked. */
  async keyBundles(node: BinaryNode): Promise<BinaryNode> {
    const list: BinaryNode[] = [];
    for (const user of children(getBinaryNodeChild(node, 'key'), 'user')) {
      const jid = user.attrs.jid;
      const target = jid ? this.resolve(jid) : undefined;
      if (!jid || !target) continue;
      const bundle =
        target.deviceId === 0
          ? await this.peer(target.acc).bundle()
          : linkedDeviceBundle(target.acc.devices.get(target.deviceId));
      if (bundle) list.push(bundleNode(jid, bundle));
    }
    return iqResult(node, [{ tag: 'list', attrs: {}, content: list }]);
  }

  /** A client sent a message: decrypt the copies meant for simulated phones, ack, receipt. */
  async onClientMessage(conn: SimConnection, sender: DeviceRecord, node: BinaryNode): Promise<void> {
    const id = node.attrs.id ?? '';
    const to = node.attrs.to ?? '';
    const dest = this.resolve(to);
    let text: string | undefined;
    let decoded: proto.IMessage | undefined;
    for (const part of children(getBinaryNodeChild(node, 'participants'), 'to')) {
      const target = part.attrs.jid ? this.resolve(part.attrs.jid) : undefined;
      const enc = getBinaryNodeChild(part, 'enc');
      const ciphertext = childBytesOf(enc);
      // copies for other linked devices would be forwarded by a real server; not simulated
      if (!target || target.deviceId !== 0 || !enc || !ciphertext) continue;
      try {
        const plain = await this.peer(target.acc).repo.decryptMessage({
          jid: sender.deviceJid,
          type: enc.attrs.type as 'pkmsg' | 'msg',
          ciphertext,
        });
        const msg = proto.Message.decode(unpadRandomMax16(plain));
        if (dest && target.acc.phone === dest.acc.phone) {
          text = msg.conversation ?? msg.extendedTextMessage?.text ?? undefined;
          decoded = msg;
        }
      } catch (error) {
        this.events.decryptError({ from: sender.deviceJid, jid: part.attrs.jid ?? '', error });
      }
    }
    conn.sendNode({ tag: 'ack', attrs: { class: 'message', id, from: to, t: nowSeconds() } });
    if (dest && decoded) {
      this.registry.registerContact(dest.acc.phone);
      const content = proto.Message.toObject(decoded as proto.Message, { longs: String, enums: String, bytes: String, defaults: false }) as Record<string, unknown>;
      this.events.message({ from: sender.phone, to: dest.acc.phone, text: text ?? '', id, content });
      this.events.decoded?.({ from: sender.phone, to: dest.acc.phone, id, message: decoded });
      conn.sendNode({ tag: 'receipt', attrs: { id, from: to, t: nowSeconds() } });
    }
  }

  /** The client acknowledged messages we delivered (delivery, read, or a retry request). */
  onClientReceipt(node: BinaryNode): void {
    const ids = [node.attrs.id, ...children(getBinaryNodeChild(node, 'list'), 'item').map((i) => i.attrs.id)];
    for (const id of ids) {
      const waiter = id ? this.receiptWaiters.get(id) : undefined;
      if (waiter) waiter(node.attrs.type ?? 'delivery');
    }
  }

  /**
   * The client answered a message with a NACK (`<ack class="message" error=…>`, Baileys' catch
   * when handling failed): it did not take the message, so the server keeps holding it and
   * delivers it again at the device's next login, as WhatsApp does for anything not receipted.
   */
  onClientNack(node: BinaryNode): void {
    const id = node.attrs.id;
    const waiter = id ? this.receiptWaiters.get(id) : undefined;
    if (waiter) waiter('nack');
  }

  /** Contact `fromPhone`'s phone sends `text` to a linked device; resolves on its delivery receipt. */
  deliverText(device: DeviceRecord, fromPhone: string, text: string): Promise<string> {
    return this.deliverMessage(device, fromPhone, { conversation: text }, 'text');
  }

  /**
   * Contact `fromPhone`'s phone sends any message to a linked device; resolves on its delivery
   * receipt. As WhatsApp does, the server holds the message until that receipt: a device that
   * drops (or is killed) before receipting gets it again, flagged `offline`, at its next login.
   * Without a receipt in time the promise rejects, and the message stays held.
   */
  async deliverMessage(device: DeviceRecord, fromPhone: string, message: proto.IMessage, stanzaType: 'text' | 'media'): Promise<string> {
    const conn = device.conn;
    if (!conn?.isOpen) throw new Error(`device ${device.deviceJid} is not connected`);
    const { id, node } = await this.encryptMessage(device, fromPhone, message, stanzaType);
    device.offline.push({ id, from: fromPhone, node });
    const receipt = new Promise<string>((resolve, reject) => {
      const waiter = (receiptType: string): void => {
        clearTimeout(timer);
        if (this.receiptWaiters.get(id) === waiter) this.receiptWaiters.delete(id);
        if (receiptType === 'nack') return reject(new Error(`client NACKed message ${id} (held for redelivery)`));
        device.offline = device.offline.filter((e) => e.id !== id);
        if (receiptType === 'retry') reject(new Error(`client could not decrypt message ${id} (retry receipt)`));
        else resolve(id);
      };
      const timer = setTimeout(() => {
        // A redelivery at the next login installs its own waiter: leave that one alone.
        if (this.receiptWaiters.get(id) === waiter) this.receiptWaiters.delete(id);
        reject(new Error(`no receipt for message ${id} within ${RECEIPT_TIMEOUT_MS} ms (held for redelivery)`));
      }, RECEIPT_TIMEOUT_MS);
      this.receiptWaiters.set(id, waiter);
    });
    conn.sendNode(node);
    return receipt;
  }

  /**
   * The device is not connected: the message is encrypted for it now (as the contact's phone
   * would) and held by the server until the device's next login (`deliverQueued`).
   */
  async queueText(device: DeviceRecord, fromPhone: string, text: string): Promise<string> {
    const { id, node } = await this.encryptText(device, fromPhone, text);
    device.offline.push({ id, from: fromPhone, node });
    this.events.queued?.({ phone: device.phone, deviceJid: device.deviceJid, id });
    return id;
  }

  /**
   * At login, before `<ib><offline count/>`: what was held for the device, oldest first, each
   * flagged `offline` (Baileys then upserts it as `append`). An entry leaves the queue on the
   * device's receipt only; returns how many were sent.
   */
  deliverQueued(device: DeviceRecord, conn: SimConnection): number {
    const held = [...device.offline];
    for (const entry of held) {
      this.receiptWaiters.set(entry.id, (receiptType) => {
        this.receiptWaiters.delete(entry.id);
        if (receiptType === 'nack') return; // still held: the next login delivers it again
        device.offline = device.offline.filter((e) => e.id !== entry.id);
        if (receiptType === 'retry') {
          this.events.decryptError({ from: entry.from, jid: device.deviceJid, error: new Error(`retry receipt for held message ${entry.id}`) });
        } else {
          this.events.offlineDelivered?.({ phone: device.phone, deviceJid: device.deviceJid, id: entry.id });
        }
      });
      conn.sendNode({ ...entry.node, attrs: { ...entry.node.attrs, offline: '1' } });
    }
    return held.length;
  }

  private encryptText(device: DeviceRecord, fromPhone: string, text: string): Promise<{ id: string; node: BinaryNode }> {
    return this.encryptMessage(device, fromPhone, { conversation: text }, 'text');
  }

  private async encryptMessage(device: DeviceRecord, fromPhone: string, message: proto.IMessage, stanzaType: 'text' | 'media'): Promise<{ id: string; node: BinaryNode }> {
    const peer = this.peer(this.registry.account(fromPhone));
    this.registry.registerContact(fromPhone); // a number that writes is on WhatsApp
    if (!(await peer.hasSession(device.deviceJid))) {
      const bundle = linkedDeviceBundle(device);
      if (!bundle) throw new Error(`device ${device.deviceJid} has no prekeys uploaded`);
      await peer.startSession(device.deviceJid, bundle);
    }
    const { type, ciphertext } = await peer.repo.encryptMessage({
      jid: device.deviceJid,
      data: encodeWAMessage(message),
    });
    const id = generateMessageID();
    return {
      id,
      node: {
        tag: 'message',
        attrs: { from: `${fromPhone}@s.whatsapp.net`, id, t: nowSeconds(), type: stanzaType, notify: 'Sim Contact' },
        content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }],
      },
    };
  }
}

function devicesNode(acc: AccountRecord): BinaryNode {
  const linked = [...acc.devices.values()].map<BinaryNode>((d) => ({
    tag: 'device',
    attrs: { id: String(d.deviceId), 'key-index': String(d.deviceId) },
  }));
  return {
    tag: 'devices',
    attrs: {},
    content: [{ tag: 'device-list', attrs: {}, content: [{ tag: 'device', attrs: { id: '0' } }, ...linked] }],
  };
}

/** Bundle of a linked Baileys device from the keys it uploaded; consumes one one-time prekey. */
function linkedDeviceBundle(device: DeviceRecord | undefined): PreKeyBundle | undefined {
  if (!device) return undefined;
  const first = device.preKeys.entries().next();
  if (first.done) return undefined;
  const [keyId, publicKey] = first.value;
  device.preKeys.delete(keyId);
  return {
    registrationId: device.registrationId,
    identityKey: device.identityKey,
    signedPreKey: device.signedPreKey,
    preKey: { keyId, publicKey },
  };
}

function bundleNode(jid: string, b: PreKeyBundle): BinaryNode {
  return {
    tag: 'user',
    attrs: { jid },
    content: [
      { tag: 'registration', attrs: {}, content: uintBE(b.registrationId, 4) },
      { tag: 'type', attrs: {}, content: Buffer.from([5]) },
      { tag: 'identity', attrs: {}, content: b.identityKey },
      {
        tag: 'key',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: uintBE(b.preKey.keyId, 3) },
          { tag: 'value', attrs: {}, content: b.preKey.publicKey },
        ],
      },
      {
        tag: 'skey',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: uintBE(b.signedPreKey.keyId, 3) },
          { tag: 'value', attrs: {}, content: b.signedPreKey.publicKey },
          { tag: 'signature', attrs: {}, content: b.signedPreKey.signature },
        ],
      },
    ],
  };
}

function childBytesOf(node: BinaryNode | undefined): Buffer | undefined {
  const c = node?.content;
  if (c instanceof Uint8Array) return Buffer.from(c);
  return undefined;
}
