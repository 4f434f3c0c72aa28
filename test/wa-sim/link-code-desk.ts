/**
 * The server's part in pairing by phone-number code: keeps each unregistered connection's
 * `companion_hello`, and when a test plays the phone (`enter(phone, code)`) relays the phone's
 * answer to the companion as a `link_code_companion_reg` notification and waits for its
 * `companion_finish`. The cryptography is link-code.ts; the pair-success after it is the
 * simulator's, shared with QR pairing.
 */
import { randomBytes } from 'node:crypto';
import { jidDecode, type BinaryNode } from '@whiskeysockets/baileys';
import type { KeyPair } from './certs.js';
import type { SimConnection } from './connection.js';
import { childBytes, iqError, iqResult, nowSeconds } from './iq.js';
import { normalizeCode, openKeyBundle, primaryHello, WrongPairingCodeError } from './link-code.js';

interface Hello {
  conn: SimConnection;
  phone: string;
  ref: Buffer;
  wrappedCompanionEphemeral: Buffer;
  platform: string;
}

interface Finish {
  resolve: (node: BinaryNode) => void;
  reject: (err: Error) => void;
}

export interface LinkCodeDeskDeps {
  /** The noise key an unregistered connection showed in its handshake; undefined when it is not registering. */
  registeringNoiseKey(conn: SimConnection): Buffer | undefined;
  /** The account's identity key (the phone's). */
  accountIdentity(phone: string): KeyPair;
  iqId(): string;
  finishTimeoutMs: number;
}

export class LinkCodeDesk {
  private readonly hellos = new Map<number, Hello>();
  private readonly finishes = new Map<number, Finish>();

  constructor(private readonly deps: LinkCodeDeskDeps) {}

  /** `<iq xmlns=md type=set><link_code_companion_reg stage=companion_hello …/>`: answered with the ref. */
  onHello(conn: SimConnection, req: BinaryNode, reg: BinaryNode): BinaryNode {
    const noiseKey = this.deps.registeringNoiseKey(conn);
    const phone = jidDecode(reg.attrs.jid)?.user;
    const wrapped = childBytes(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub');
    const serverAuthKey = childBytes(reg, 'companion_server_auth_key_pub');
    if (!noiseKey) return iqError(req, 405, 'not-allowed'); // already registered, or not in a pair-device round
    if (!phone || !/^\d{5,20}$/.test(phone) || !wrapped || wrapped.length !== 80) return iqError(req, 400, 'bad-request');
    if (!serverAuthKey?.equals(noiseKey)) return iqError(req, 401, 'not-authorized');
    const ref = Buffer.from(randomBytes(16).toString('base64url'));
    // a new code on the same connection replaces the previous one (Baileys keeps only the last)
    this.hellos.set(conn.id, { conn, phone, ref, wrappedCompanionEphemeral: wrapped, platform: childBytes(reg, 'companion_platform_display')?.toString() ?? '' });
    return iqResult(req, [{ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }] }]);
  }

  /** `companion_finish`: handed to the phone waiting for it; false when nobody waits. */
  onFinish(conn: SimConnection, req: BinaryNode): boolean {
    const waiter = this.finishes.get(conn.id);
    if (!waiter) return false;
    this.finishes.delete(conn.id);
    waiter.resolve(req);
    return true;
  }

  /** Phones waiting for a code (newest hello per connection). */
  waiting(): { phone: string; connId: number; platform: string }[] {
    return [...this.hellos.values()].filter((h) => h.conn.isOpen).map((h) => ({ phone: h.phone, connId: h.conn.id, platform: h.platform }));
  }

  forget(conn: SimConnection): void {
    this.hellos.delete(conn.id);
    this.finishes.get(conn.id)?.reject(new Error('the companion hung up before companion_finish'));
    this.finishes.delete(conn.id);
  }

  /**
   * The user types `code` on `phone`. Resolves with the connection and the ADV secret for its
   * pair-success; rejects with WrongPairingCodeError (the companion's `companion_finish` is
   * answered with an error and its code stays valid for another try, as on a real phone).
   */
  async enter(phone: string, typed: string): Promise<{ conn: SimConnection; advSecret: Buffer }> {
    const hello = [...this.hellos.values()].reverse().find((h) => h.phone === phone && h.conn.isOpen);
    if (!hello) throw new Error(`no companion is waiting for a pairing code for ${phone}`);
    const { conn } = hello;
    if (this.finishes.has(conn.id)) throw new Error(`a code for ${phone} is already being checked`);
    const code = normalizeCode(typed);
    const primaryIdentity = this.deps.accountIdentity(phone);
    const ph = await primaryHello(hello.wrappedCompanionEphemeral, code);
    const finish = new Promise<BinaryNode>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.finishes.delete(conn.id);
        reject(new Error(`the companion did not send companion_finish within ${this.deps.finishTimeoutMs} ms`));
      }, this.deps.finishTimeoutMs);
      const done = <A>(f: (a: A) => void) => (a: A) => {
        clearTimeout(timer);
        f(a);
      };
      this.finishes.set(conn.id, { resolve: done(resolve), reject: done(reject) });
    });
    conn.sendNode({
      tag: 'notification',
      attrs: { from: 's.whatsapp.net', type: 'link_code_companion_reg', id: this.deps.iqId(), t: nowSeconds() },
      content: [
        {
          tag: 'link_code_companion_reg',
          attrs: {},
          content: [
            { tag: 'link_code_pairing_ref', attrs: {}, content: hello.ref },
            { tag: 'primary_identity_pub', attrs: {}, content: primaryIdentity.public },
            { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: ph.wrappedPrimaryEphemeral },
          ],
        },
      ],
    });
    const req = await finish;
    const reg = Array.isArray(req.content) ? req.content.find((c) => c.tag === 'link_code_companion_reg') : undefined;
    const bundle = childBytes(reg, 'link_code_pairing_wrapped_key_bundle');
    const companionIdentity = childBytes(reg, 'companion_identity_public');
    try {
      if (!reg || !bundle || !companionIdentity || !childBytes(reg, 'link_code_pairing_ref')?.equals(hello.ref)) {
        throw new WrongPairingCodeError('companion_finish lacks the key bundle, the identity or the ref');
      }
      const { advSecret } = openKeyBundle({ hello: ph, bundle, companionIdentity, primaryIdentity });
      conn.sendNode(iqResult(req));
      this.hellos.delete(conn.id);
      return { conn, advSecret };
    } catch (err) {
      conn.sendNode(iqError(req, 401, 'not-authorized'));
      throw err;
    }
  }
}
