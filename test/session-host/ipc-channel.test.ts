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
