import { describe, expect, it } from 'vitest';
import { IpcChannel, type IpcEndpoint } from '../../session-host/ipc-channel.js';
import type { HostToSupervisor } from '../../src/ipc/protocol.js';

/** An endpoint whose `send` returns false while `full` is set; callbacks run when the test says so. */
class ScriptedEndpoint implements IpcEndpoint {
  connected = true;
  full = false;
  sent: HostToSupervisor[] = [];
  pending: ((e: Error | null) => void)[] = [];
  send(message: unknown, cb?: (e: Error | null) => void): boolean {
    this.sent.push(message as HostToSupervisor);
    if (cb) this.pending.push(cb);
    return !this.full;
  }
  flushCallbacks(): void {
    const cbs = this.pending;
    this.pending = [];
    for (const cb of cbs) cb(null);
  }
  on(): unknown { return this; }
  off(): unknown { return this; }
}

const status = (s: string) => ({ type: 'status', status: s, at: 'now' }) as HostToSupervisor;

describe('IpcChannel backpressure', () => {
  it('queues while send returns false and coalesces statuses to the newest, after other messages', () => {
    const ep = new ScriptedEndpoint();
    const ch = new IpcChannel(ep);
    ep.full = true;
    ch.send(status('starting')); // accepted by Node but returns false: channel now blocked
    ch.send(status('connecting'));
    ch.send({ type: 'qr', qr: 'Q', attempt: 1, expiresAt: 'x' });
    ch.send(status('qr_required'));
    expect(ep.sent.map((m) => m.type)).toEqual(['status']);
    ep.full = false;
    ep.flushCallbacks();
    expect(ep.sent.map((m) => (m.type === 'status' ? m.status : m.type))).toEqual(['starting', 'qr', 'qr_required']);
  });

  it('drained() waits for every pending write callback, so an exit cannot drop the last message', async () => {
    const ep = new ScriptedEndpoint();
    const ch = new IpcChannel(ep);
    ch.send(status('disconnected'));
    let done = false;
    const drained = ch.drained().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    ep.flushCallbacks();
    await drained;
    expect(done).toBe(true);
  });

  it('never throws once the supervisor is gone', async () => {
    const ep = new ScriptedEndpoint();
    const ch = new IpcChannel(ep);
    ep.connected = false;
    expect(() => ch.send(status('connected'))).not.toThrow();
    expect(ep.sent).toHaveLength(0);
    await ch.drained();
  });
});

describe('IpcChannel deliveries (the receipt waits for the outbox)', () => {
  const text = { id: 'M1', from: 'x@s.whatsapp.net', timestamp: 'now', type: 'text' as const, text: 'hi' };
  /** Runs the channel's message listener as Node's IPC would. */
  function wired(): { ep: ScriptedEndpoint; ch: IpcChannel; deliverAck: (m: unknown) => void } {
    const ep = new ScriptedEndpoint();
    let listener: ((m: unknown) => void) | undefined;
    ep.on = ((_e: string, l: (m: unknown) => void) => (listener = l)) as never;
    const ch = new IpcChannel(ep);
    ch.onMessage(() => undefined);
    return { ep, ch, deliverAck: (m) => listener!(m) };
  }

  it('resolves on the ack of its own delivery id, rejects on an error ack', async () => {
    const { ep, ch, deliverAck } = wired();
    const a = ch.deliver([text], 1_000);
    const b = ch.deliver([{ ...text, id: 'M2' }], 1_000);
    const [ma, mb] = ep.sent as Extract<HostToSupervisor, { type: 'message-in' }>[];
    expect(ma!.deliveryId).not.toBe(mb!.deliveryId);
    deliverAck({ type: 'message-in-ack', deliveryId: mb!.deliveryId, ok: false, error: { code: 'OUTBOX_WRITE_FAILED', message: 'disk full' } });
    deliverAck({ type: 'message-in-ack', deliveryId: ma!.deliveryId, ok: true });
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toMatchObject({ code: 'OUTBOX_WRITE_FAILED' });
  });

  it('rejects after its timeout, and at once when the supervisor is gone', async () => {
    const { ep, ch } = wired();
    await expect(ch.deliver([text], 20)).rejects.toMatchObject({ code: 'INBOX_ACK_TIMEOUT' });
    const pending = ch.deliver([text], 60_000);
    ch.abandonDeliveries();
    await expect(pending).rejects.toMatchObject({ code: 'IPC_CLOSED' });
    ep.connected = false;
    await expect(ch.deliver([text], 60_000)).rejects.toMatchObject({ code: 'IPC_CLOSED' });
  });
});
