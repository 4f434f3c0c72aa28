/**
 * "Expired auth" for scenario (3): the server still completes the Noise handshake of a device it
 * no longer honours, but answers its *login* with a new `pair-device` round (QR refs) instead of
 * `success`. Baileys rc14 handles `pair-device` on any socket (lib/Socket/socket.js, the
 * `CB:iq,type:set,pair-device` listener), so a host that restored paired auth then shows a QR —
 * the only way a restored session can land in `qr_required`, which the supervisor reports as
 * `recovery_failed` with `auth_expired`.
 *
 * The simulator has no public action for this (its refusals are 401s = logged out), so this
 * helper overrides the simulator instance's private `login` for one phone number. It belongs in
 * test/wa-sim as a public action (e.g. `expireDevice(phone)`); until then it lives here, and
 * relies on these private names of test/wa-sim/simulator.ts: `login(conn, phone, deviceId,
 * noiseKey)`, `iqId()`, and `conn.phone` / `conn.sendNode(node)`.
 */
import type { WaSim } from '../../wa-sim/index.js';

interface SimConnLike {
  phone?: string;
  id: number | string;
  sendNode(node: unknown): void;
}

interface SimInternals {
  login(conn: SimConnLike, phone: string, deviceId: number, noiseKey: Buffer): void;
  iqId(): string;
}

/** From now on every login of `phone` gets a QR round instead of `success`. Returns an undo. */
export function expireDevice(sim: WaSim, phone: string, qrRefs = 5): () => void {
  const internals = sim as unknown as SimInternals;
  if (typeof internals.login !== 'function' || typeof internals.iqId !== 'function') {
    throw new Error('wa-sim internals changed: expireDevice needs login() and iqId() (see test/e2e/support/expire-device.ts)');
  }
  const original = internals.login;
  const patched: SimInternals['login'] = function (this: SimInternals, conn, p, deviceId, noiseKey) {
    if (p !== phone) return original.call(this, conn, p, deviceId, noiseKey);
    conn.phone = p;
    const refs = Array.from({ length: qrRefs }, (_, i) => `2@expired-${Date.now().toString(36)}-${i}`);
    conn.sendNode({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id: this.iqId(), xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
    });
    sim.emit('expired-login', { phone: p, connId: conn.id });
  };
  Object.defineProperty(sim, 'login', { value: patched, configurable: true, writable: true });
  return () => {
    delete (sim as unknown as Record<string, unknown>).login;
  };
}
