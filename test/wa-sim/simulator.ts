/**
 * The simulated WhatsApp server: accepts real Baileys sockets on 127.0.0.1, pairs them by QR, logs
 * them in, answers what Baileys waits for before `open`, and lets a test act as the server
 * (log out, drop, replace, stall, refuse) or as a contact's phone (messaging.ts).
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBinaryNodeChild, jidDecode, type BinaryNode } from '@whiskeysockets/baileys';
import { WebSocketServer } from 'ws';
import { makeCertAuthority, makeCertChain, newKeyPair, type KeyPair, type SimCertAuthority } from './certs.js';
import { SimConnection } from './connection.js';
import { firstChild, iqError, iqResult, nowSeconds, readUIntBE, streamError } from './iq.js';
import { contactMediaMessage, readClientMedia, type OutgoingSimMedia } from './media.js';
import { SimMediaServer } from './media-server.js';
import { QueryHolds, type Hold, type HeldQuery } from './holds.js';
import { Messaging } from './messaging.js';
import type { HandshakeResult } from './noise-responder.js';
import { buildPairSuccess, parseQr, verifyPairDeviceSign } from './pairing.js';
import { initQueryAnswer, isDeviceListQuery, storeUploadedKeys } from './iq-answers.js';
import { LinkCodeDesk } from './link-code-desk.js';
import { WrongPairingCodeError } from './link-code.js';
import { randomDigits, Registry, type DeviceRecord, type SignedPreKeyRecord } from './registry.js';

export interface SimOptions {
  /** How many QR refs one registration gets (Baileys shows one per ref, then gives up). Default 6. */
  qrRefs?: number;
  /** How long `scan` waits for the client's pair-device-sign reply. Default 10 s. */
  pairReplyTimeoutMs?: number;
}

export interface SimDevice {
  phone: string;
  deviceJid: string;
  connected: boolean;
}

interface PendingRegistration {
  conn: SimConnection;
  refs: string[];
  noiseKey: Buffer;
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: SignedPreKeyRecord;
}

const DEFAULT_QR_REFS = 6;

export class WaSimulator extends EventEmitter {
  readonly url: string;
  readonly rootPublicKeyB64: string;
  readonly preloadPath: string;

  private readonly registry = new Registry();
  private readonly messaging: Messaging;
  private readonly conns = new Set<SimConnection>();
  private readonly registrations = new Map<number, PendingRegistration>();
  private readonly replies = new Map<string, (node: BinaryNode) => void>();
  private readonly failNext = new Map<string, 'refuse' | 'hang'>();
  private readonly holds = new QueryHolds();
  private readonly linkCodes: LinkCodeDesk;
  private readonly staticKey: KeyPair = newKeyPair();
  private readonly certChain: Uint8Array;
  private qrIssued = 0;
  private nextIqId = 1;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly wss: WebSocketServer,
    ca: SimCertAuthority,
    private readonly opts: SimOptions,
    /** HTTPS media host on loopback (`media_conn`); clients trust it through NODE_EXTRA_CA_CERTS. */
    readonly mediaServer: SimMediaServer,
  ) {
    super();
    const addr = wss.address();
    if (typeof addr !== 'object' || !addr) throw new Error('simulator is not listening');
    this.url = `ws://127.0.0.1:${addr.port}/ws/chat`;
    this.rootPublicKeyB64 = ca.root.public.toString('base64');
    this.preloadPath = join(projectRoot(), 'dist', 'test', 'wa-sim', 'trust-sim.js');
    this.certChain = makeCertChain(ca, this.staticKey.public);
    this.linkCodes = new LinkCodeDesk({
      registeringNoiseKey: (c) => this.registrations.get(c.id)?.noiseKey,
      accountIdentity: (phone) => this.registry.account(phone).identity,
      iqId: () => this.iqId(),
      finishTimeoutMs: opts.pairReplyTimeoutMs ?? 10_000,
    });
    this.messaging = new Messaging(this.registry, {
      message: (m) => this.emit('message', m),
      decryptError: (e) => this.emit('decrypt-error', e),
      queued: (e) => this.emit('offline-queued', e),
      offlineDelivered: (e) => this.emit('offline-delivered', e),
      decoded: (m) =>
        void readClientMedia(mediaServer, m).then(
          (media) => media && this.emit('media', media),
          (error: unknown) => this.emit('media-error', { id: m.id, from: m.from, error }),
        ),
    });
    wss.on('connection', (ws) => {
      const conn = new SimConnection(ws, this.staticKey, this.certChain, {
        onHandshake: (c, r) => this.onHandshake(c, r),
        onNode: (c, n) => this.onNode(c, n),
        onClose: (c) => this.onClose(c),
        onError: (c, err) => this.emit('conn-error', { connId: c.id, phone: c.phone, error: err }),
      });
      this.conns.add(conn);
    });
  }

  /** Environment for a process under test (with `--import preloadPath`). */
  childEnv(): Record<string, string> {
    return { WA_SIM_ROOT_PUBLIC_KEY: this.rootPublicKeyB64, WA_WEBSOCKET_URL: this.url, NODE_EXTRA_CA_CERTS: this.mediaServer.certPath };
  }

  // ---- handshake, registration, login -------------------------------------------------------

  private onHandshake(conn: SimConnection, { payload, clientStaticPublic }: HandshakeResult): void {
    const pairing = payload.devicePairingData;
    if (pairing) {
      this.startRegistration(conn, clientStaticPublic, pairing);
      return;
    }
    if (payload.username === null || payload.username === undefined) {
      conn.endWith({ tag: 'failure', attrs: { reason: '400' } }, 400);
      return;
    }
    this.login(conn, String(payload.username), payload.device ?? 0, clientStaticPublic);
  }

  private startRegistration(
    conn: SimConnection,
    noiseKey: Buffer,
    p: NonNullable<HandshakeResult['payload']['devicePairingData']>,
  ): void {
    if (!p.eIdent || !p.eRegid || !p.eSkeyId || !p.eSkeyVal || !p.eSkeySig) {
      conn.endWith({ tag: 'failure', attrs: { reason: '400' } }, 400);
      return;
    }
    const refs = Array.from({ length: this.opts.qrRefs ?? DEFAULT_QR_REFS }, () => `2@${randomRef()}`);
    this.registrations.set(conn.id, {
      conn,
      refs,
      noiseKey,
      identityKey: Buffer.from(p.eIdent),
      registrationId: readUIntBE(p.eRegid),
      signedPreKey: {
        keyId: readUIntBE(p.eSkeyId),
        publicKey: Buffer.from(p.eSkeyVal),
        signature: Buffer.from(p.eSkeySig),
      },
    });
    this.qrIssued++;
    conn.sendNode({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id: this.iqId(), xmlns: 'md' },
      content: [
        {
          tag: 'pair-device',
          attrs: {},
          content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })),
        },
      ],
    });
    this.emit('qr', { ref: refs[0], refs, connId: conn.id });
  }

  private login(conn: SimConnection, phone: string, deviceId: number, noiseKey: Buffer): void {
    const failMode = this.failNext.get(phone);
    if (failMode) {
      this.failNext.delete(phone);
      if (failMode === 'hang') {
        // accept the handshake and then say nothing: the client's keep-alive must notice
        conn.phone = phone;
        conn.stalled = true;
        this.emit('login-hang', { phone, connId: conn.id });
      } else {
        conn.phone = phone;
        conn.endWith({ tag: 'failure', attrs: { reason: '503' } }, 503);
      }
      return;
    }
    const device = this.registry.device(phone, deviceId);
    if (!device || !device.noiseKey.equals(noiseKey)) {
      conn.phone = phone;
      conn.endWith({ tag: 'failure', attrs: { reason: '401', location: 'sim' } }, 401);
      this.emit('login-refused', { phone, deviceId, known: !!device });
      return;
    }
    const previous = device.conn;
    if (previous && previous !== conn && previous.isOpen) {
      previous.endWith(streamError(440, { tag: 'conflict', attrs: { type: 'replaced' } }), 440);
    }
    device.conn = conn;
    conn.phone = phone;
    conn.deviceId = deviceId;
    const acc = this.registry.account(phone);
    conn.sendNode({
      tag: 'success',
      attrs: {
        t: nowSeconds(),
        props: '1',
        creation: nowSeconds(),
        location: 'sim',
        lid: `${acc.lidUser}:${deviceId}@lid`,
      },
    });
    // what contacts sent meanwhile, then the count: Baileys stops buffering events at the count
    const held = this.messaging.deliverQueued(device, conn);
    conn.sendNode({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(held) } }] });
    this.emit('login', { phone, deviceJid: device.deviceJid, connId: conn.id });
  }

  async scan(qr: string, opts: { phone?: string } = {}): Promise<{ phone: string; deviceJid: string }> {
    const q = parseQr(qr);
    const reg = [...this.registrations.values()].find((r) => r.refs.includes(q.ref));
    if (!reg || !reg.conn.isOpen) throw new Error(`no open connection shows QR ref ${q.ref}`);
    if (!reg.noiseKey.equals(q.noiseKey) || !reg.identityKey.equals(q.identityKey)) {
      throw new Error('QR keys do not match the connection that showed it');
    }
    return this.completePairing(reg, opts.phone ?? `1555${randomDigits(7)}`, q.advSecret);
  }

  /**
   * The user types `code` on `phone`'s primary device (pairing by phone-number code, Baileys
   * `requestPairingCode`): the phone answers the companion's hello, checks its key bundle and sends
   * the same pair-success a QR scan does. A wrong code rejects with `code: 'WRONG_PAIRING_CODE'`
   * (event `pairing-code-refused`); the companion keeps waiting and may be given the right one.
   */
  async enterPairingCode(phone: string, code: string): Promise<{ phone: string; deviceJid: string }> {
    let linked: Awaited<ReturnType<LinkCodeDesk['enter']>>;
    try {
      linked = await this.linkCodes.enter(phone, code);
    } catch (err) {
      if (err instanceof WrongPairingCodeError) this.emit('pairing-code-refused', { phone, reason: err.message });
      throw err;
    }
    const reg = this.registrations.get(linked.conn.id);
    if (!reg || !reg.conn.isOpen) throw new Error(`the companion waiting for ${phone} is gone`);
    return this.completePairing(reg, phone, linked.advSecret);
  }

  /** Companions that asked for a pairing code and wait for it to be typed on the phone. */
  waitingForPairingCode(): { phone: string; connId: number; platform: string }[] {
    return this.linkCodes.waiting();
  }

  private async completePairing(reg: PendingRegistration, phone: string, advSecret: Buffer): Promise<{ phone: string; deviceJid: string }> {
    const acc = this.registry.account(phone);
    const deviceId = acc.nextDeviceId++;
    const deviceJid = `${phone}:${deviceId}@s.whatsapp.net`;
    const iqId = this.iqId();
    const reply = this.awaitReply(reg.conn, iqId, this.opts.pairReplyTimeoutMs ?? 10_000);
    reg.conn.sendNode(
      buildPairSuccess({
        iqId,
        deviceJid,
        lidJid: `${acc.lidUser}:${deviceId}@lid`,
        keyIndex: deviceId,
        account: acc.identity,
        clientIdentityKey: reg.identityKey,
        advSecret,
      }),
    );
    const answer = await reply;
    if (!verifyPairDeviceSign(answer, reg.identityKey, acc.identity)) {
      reg.conn.endWith(streamError(500), 500);
      throw new Error('client answered pair-success without a valid device signature');
    }
    const device: DeviceRecord = {
      phone,
      deviceId,
      deviceJid,
      lidJid: `${acc.lidUser}:${deviceId}@lid`,
      noiseKey: reg.noiseKey,
      identityKey: reg.identityKey,
      registrationId: reg.registrationId,
      signedPreKey: reg.signedPreKey,
      preKeys: new Map(),
      conn: undefined,
      offline: [],
    };
    acc.devices.set(deviceId, device);
    this.registrations.delete(reg.conn.id);
    this.emit('paired', { phone, deviceJid });
    // a freshly paired client must reconnect and log in: that is what 515 asks for
    reg.conn.endWith(streamError(515), 515);
    return { phone, deviceJid };
  }

  // ---- stanzas ----------------------------------------------------------------------------

  private async onNode(conn: SimConnection, node: BinaryNode): Promise<void> {
    if (node.tag === 'iq' && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
      const key = `${conn.id}:${node.attrs.id}`;
      const resolve = this.replies.get(key);
      if (resolve) {
        this.replies.delete(key);
        resolve(node);
      }
      return;
    }
    if (node.tag === 'iq') {
      await this.onIq(conn, node);
      return;
    }
    const device = this.connDevice(conn);
    if (node.tag === 'message' && device) {
      await this.messaging.onClientMessage(conn, device, node);
    }
    if (node.tag === 'receipt') this.messaging.onClientReceipt(node);
    if (node.tag === 'ack' && node.attrs.class === 'message' && node.attrs.error) {
      this.messaging.onClientNack(node);
      if (device) this.emit('client-nack', { phone: device.phone, id: node.attrs.id, error: node.attrs.error });
    }
    // receipts, acks, presence and telemetry need no answer from this server; chat-level stanzas
    // (typing, read receipts) are reported so a test can see what a client sent.
    if (device && (node.tag === 'chatstate' || node.tag === 'presence' || node.tag === 'receipt')) {
      this.emit('client-stanza', { phone: device.phone, tag: node.tag, attrs: { ...node.attrs }, children: Array.isArray(node.content) ? node.content.map((c) => ({ tag: c.tag, attrs: { ...c.attrs } })) : [] });
    }
  }

  private async onIq(conn: SimConnection, node: BinaryNode): Promise<void> {
    const xmlns = node.attrs.xmlns;
    const child = firstChild(node);
    const device = this.connDevice(conn);
    if (xmlns === 'w:p' && child?.tag === 'ping') {
      conn.sendNode(iqResult(node));
      return;
    }
    const init = initQueryAnswer(xmlns, child);
    if (init) {
      conn.sendNode(iqResult(node, init));
      return;
    }
    if (xmlns === 'w:m' && child?.tag === 'media_conn') {
      const host: BinaryNode = { tag: 'host', attrs: { hostname: this.mediaServer.host, maxContentLengthBytes: String(128 * 1024 * 1024) } };
      conn.sendNode(iqResult(node, [{ tag: 'media_conn', attrs: { auth: this.mediaServer.auth, ttl: '3600', auth_ttl: '3600', max_buckets: '1' }, content: [host] }]));
      return;
    }
    if (xmlns === 'passive') {
      conn.sendNode(iqResult(node));
      return;
    }
    if (xmlns === 'md' && node.attrs.type === 'set' && child?.tag === 'link_code_companion_reg') {
      if (child.attrs.stage === 'companion_hello') conn.sendNode(this.linkCodes.onHello(conn, node, child));
      else if (child.attrs.stage !== 'companion_finish' || !this.linkCodes.onFinish(conn, node)) conn.sendNode(iqError(node, 404, 'item-not-found'));
      return;
    }
    if (xmlns === 'md' && node.attrs.type === 'set' && child?.tag === 'remove-companion-device') {
      conn.sendNode(this.removeCompanion(conn, node, child));
      return;
    }
    if (xmlns === 'encrypt' && device) {
      if (node.attrs.type === 'get' && child?.tag === 'count') {
        conn.sendNode(iqResult(node, [{ tag: 'count', attrs: { value: String(device.preKeys.size) } }]));
        return;
      }
      if (node.attrs.type === 'set' && getBinaryNodeChild(node, 'list')) {
        storeUploadedKeys(device, node);
        conn.sendNode(iqResult(node));
        return;
      }
      if (child?.tag === 'digest') {
        conn.sendNode(iqResult(node, [{ tag: 'digest', attrs: {} }]));
        return;
      }
      if (child?.tag === 'key') {
        const held = this.holds.take('prekeys', conn.phone);
        // a held answer must not hold up the rest of the connection (pings, receipts)
        if (held) void held.then(async () => conn.sendNode(await this.messaging.keyBundles(node)));
        else conn.sendNode(await this.messaging.keyBundles(node));
        return;
      }
    }
    if (xmlns === 'usync' && device) {
      const reply = this.messaging.usync(node);
      if (reply) {
        // only device-list queries are held: a number check (contact protocol) answers at once
        const held = isDeviceListQuery(node) ? this.holds.take('usync', conn.phone) : undefined;
        if (held) void held.then(() => conn.sendNode(reply));
        else conn.sendNode(reply);
        return;
      }
    }
    conn.sendNode(iqResult(node));
    this.emit('unhandled-iq', { node, phone: conn.phone, connId: conn.id });
  }

  /**
   * Baileys' `sock.logout()`: `<remove-companion-device jid=<creds.me.id> reason="user_initiated"/>`,
   * sent without waiting for the answer, and the socket is closed right after. A logged-in device
   * may remove only itself; the device is forgotten (its next login gets 401). The connection is
   * not kicked: the client hangs up by itself, so `closed` reports `code: null` deterministically.
   */
  private removeCompanion(conn: SimConnection, req: BinaryNode, child: BinaryNode): BinaryNode {
    const device = this.connDevice(conn);
    if (!device) return iqError(req, 401, 'not-authorized');
    const target = jidDecode(child.attrs.jid);
    const acc = this.registry.account(device.phone);
    const sameAccount =
      (target?.server === 's.whatsapp.net' && target.user === device.phone) ||
      (target?.server === 'lid' && target.user === acc.lidUser);
    if (!sameAccount || (target?.device ?? 0) !== device.deviceId) return iqError(req, 403, 'forbidden');
    this.registry.removeDevice(device.phone, device.deviceId);
    this.emit('device-removed', {
      phone: device.phone,
      deviceJid: device.deviceJid,
      reason: child.attrs.reason ?? null,
      connId: conn.id,
    });
    return iqResult(req);
  }

  private onClose(conn: SimConnection): void {
    this.conns.delete(conn);
    this.registrations.delete(conn.id);
    this.linkCodes.forget(conn);
    for (const d of this.registry.allDevices()) if (d.conn === conn) d.conn = undefined;
    this.emit('closed', { phone: conn.phone, code: conn.closeCode ?? null, connId: conn.id });
  }

  private connDevice(conn: SimConnection): DeviceRecord | undefined {
    if (conn.phone === undefined || conn.deviceId === undefined) return undefined;
    const d = this.registry.device(conn.phone, conn.deviceId);
    return d?.conn === conn ? d : undefined;
  }

  private awaitReply(conn: SimConnection, id: string, timeoutMs: number): Promise<BinaryNode> {
    const key = `${conn.id}:${id}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(key);
        reject(new Error(`client did not answer iq ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(key, (node) => {
        clearTimeout(timer);
        resolve(node);
      });
    });
  }

  private iqId(): string {
    return `sim-${this.nextIqId++}`;
  }

  // ---- server actions -------------------------------------------------------------------------

  /** Ids of the connections not yet closed: a test's own connections vs ones still closing. */
  liveConnIds = (): Set<number> => new Set([...this.conns].map((c) => c.id));

  private openConns = (phone: string): SimConnection[] => [...this.conns].filter((c) => c.phone === phone && c.isOpen);

  forceLogout(phone: string): void {
    for (const c of this.openConns(phone)) {
      c.endWith(streamError(401, { tag: 'conflict', attrs: { type: 'device_removed' } }), 401);
    }
    this.registry.forget(phone);
  }

  /**
   * Ends the account's connections with `<stream:error code="<code>"/>` and no reason child:
   * Baileys closes with exactly that status code (`getErrorCodeFromStreamError` reads `code`
   * first), e.g. 500 badSession or 411 multideviceMismatch. The device stays registered.
   */
  closeWithStreamError(phone: string, code: number): void {
    if (!Number.isInteger(code) || code <= 0) throw new Error(`not a stream error code: ${code}`);
    for (const c of this.openConns(phone)) c.endWith(streamError(code), code);
  }

  dropConnection(phone: string): void {
    for (const c of this.openConns(phone)) {
      c.closeCode = 428;
      c.terminate();
    }
  }

  replaceConnection(phone: string): void {
    for (const c of this.openConns(phone)) {
      c.endWith(streamError(440, { tag: 'conflict', attrs: { type: 'replaced' } }), 440);
    }
  }

  stall(phone: string): void {
    for (const c of this.openConns(phone)) c.stalled = true;
  }

  failNextLogin(phone: string, mode: 'refuse' | 'hang'): void {
    this.failNext.set(phone, mode);
  }

  /**
   * Holds back the answer to the next `usync` (device list) or pre-key query of `phone`'s device
   * (any device when omitted) until `release()`: pushes a client's send past its timeout.
   */
  holdNext(query: HeldQuery, phone?: string): Hold {
    return this.holds.hold(query, phone);
  }

  /**
   * Contact `fromPhone`'s phone could not decrypt message `messageId` from `toPhone`'s device and
   * asks for it again (`receipt type="retry"`): the client must send it once more, from its own
   * cache or its `getMessage`. Resolves once the receipt is sent; the resend arrives as `message`.
   */
  requestRetry(fromPhone: string, toPhone: string, messageId: string): void {
    const targets = this.registry.allDevices().filter((d) => d.phone === toPhone && d.conn?.isOpen);
    if (targets.length === 0) throw new Error(`no connected device for ${toPhone}`);
    for (const d of targets) {
      d.conn!.sendNode({
        tag: 'receipt',
        attrs: { from: `${fromPhone}@s.whatsapp.net`, id: messageId, type: 'retry', t: nowSeconds() },
        content: [{ tag: 'retry', attrs: { count: '1', id: messageId, t: nowSeconds(), v: '1' } }],
      });
    }
  }

  forgetDevice(phone: string): void {
    this.registry.forget(phone);
  }

  /**
   * Contact `fromPhone` sends `text` to every linked device of `toPhone`. A connected device gets
   * it at once (resolves on its receipt); one that is not connected gets it at its next login,
   * with the `offline` flag (resolves once queued). No linked device at all: rejects.
   */
  async deliverText(fromPhone: string, toPhone: string, text: string): Promise<string> {
    const targets = this.registry.allDevices().filter((d) => d.phone === toPhone);
    if (targets.length === 0) throw new Error(`no connected device for ${toPhone} (and none linked to queue for)`);
    // The id of the last delivery (for a connected device: the message id it acknowledged).
    let id = '';
    for (const d of targets) {
      if (d.conn?.isOpen) id = await this.messaging.deliverText(d, fromPhone, text);
      else await this.messaging.queueText(d, fromPhone, text);
    }
    return id;
  }

  /** Makes `phone` a WhatsApp user for number checks (usync `contact` → `in`); see Registry.isOnWhatsApp. */
  registerContact(phone: string): void {
    this.registry.registerContact(phone);
  }

  /** Messages held for `phone`'s devices, not yet receipted. */
  queuedFor(phone: string): number {
    return this.registry.allDevices().filter((d) => d.phone === phone).reduce((n, d) => n + d.offline.length, 0);
  }

  /** Contact `fromPhone` sends a medium (stored encrypted on the media host) to `toPhone`'s devices. */
  async deliverMedia(fromPhone: string, toPhone: string, media: OutgoingSimMedia): Promise<string[]> {
    const targets = this.registry.allDevices().filter((d) => d.phone === toPhone && d.conn?.isOpen);
    if (targets.length === 0) throw new Error(`no connected device for ${toPhone}`);
    const message = await contactMediaMessage(this.mediaServer, media);
    const ids: string[] = [];
    for (const d of targets) ids.push(await this.messaging.deliverMessage(d, fromPhone, message, 'media'));
    return ids;
  }

  devices(): SimDevice[] {
    return this.registry
      .allDevices()
      .map((d) => ({ phone: d.phone, deviceJid: d.deviceJid, connected: !!d.conn?.isOpen }));
  }

  qrCount(): number {
    return this.qrIssued;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const c of this.conns) c.terminate();
      this.wss.close(() => resolve());
    }).then(() => this.mediaServer.close());
    return this.closing;
  }
}

export async function listen(opts: SimOptions = {}): Promise<WaSimulator> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/chat' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return new WaSimulator(wss, makeCertAuthority(), opts, await SimMediaServer.start());
}

function randomRef(): string {
  return Buffer.from(Array.from({ length: 24 }, () => Math.floor(Math.random() * 256))).toString('base64');
}

/** The repository root (the folder with package.json), whether running from source or from dist. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the project root');
    dir = up;
  }
  return dir;
}
