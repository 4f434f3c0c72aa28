/**
 * The mission in miniature, with real Baileys clients in child processes: pair by QR, restart on
 * 515, reach `open`; then a brand-new process with the saved auth reaches `open` with no QR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSimBuilt } from './build.js';
import { SimHarness } from './sim-harness.js';

let h: SimHarness;
const shared = { authDir: '' };
beforeAll(async () => {
  await ensureSimBuilt();
  h = await SimHarness.start();
});
afterAll(() => h?.close());

describe('QR pairing and recovery with saved auth', () => {
  it('QR → scan → 515 → reconnect → open, then a new process logs in with no QR', async () => {
    const events: string[] = [];
    h.sim.on('qr', () => events.push('sim:qr'));
    h.sim.on('paired', () => events.push('sim:paired'));
    h.sim.on('login', () => events.push('sim:login'));

    const authDir = h.authDir();
    shared.authDir = authDir;
    const first = h.client(authDir);
    const { qr } = await first.waitFor('qr');
    expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#2@/);
    const paired = await h.sim.scan(qr, { phone: '15550001111' });
    expect(paired).toEqual({ phone: '15550001111', deviceJid: '15550001111:1@s.whatsapp.net' });

    const restart = await first.waitFor('close');
    expect(restart.code).toBe(515);
    const open = await first.waitFor('open');
    expect(open.socket).toBe(2); // the second socket, opened because of the 515
    expect(open.me).toBe('15550001111:1@s.whatsapp.net');
    expect(open.lid).toMatch(/^\d+:1@lid$/);
    expect(events).toEqual(['sim:qr', 'sim:paired', 'sim:login']);
    expect(h.sim.devices()).toEqual([{ phone: '15550001111', deviceJid: paired.deviceJid, connected: true }]);
    expect(h.unhandled).toEqual([]);

    await first.shutdown();
    await waitUntil(() => h.sim.devices()[0]?.connected === false);

    const qrsBefore = h.sim.qrCount();
    const second = h.client(authDir);
    const reopened = await second.waitFor('open');
    expect(reopened.me).toBe(paired.deviceJid);
    expect(second.events.some((e) => e.type === 'qr')).toBe(false);
    expect(h.sim.qrCount()).toBe(qrsBefore);
    expect(h.sim.devices()[0]?.connected).toBe(true);
    expect(h.unhandled).toEqual([]);
  });

  it('a device the server has forgotten is refused with 401 (loggedOut) at its next login', async () => {
    // reuses the account paired above: its client is connected right now
    const phone = '15550001111';
    const c = h.client(shared.authDir);
    await c.waitFor('open'); // kicks the previous copy (440); this one is now the device's connection
    h.sim.forgetDevice(phone);
    const mark = c.mark();
    h.sim.dropConnection(phone); // the client reconnects and finds itself unknown
    const refused = await c.waitFor('close', (e) => e.code === 401, 30_000, mark);
    expect(refused.reconnect).toBe(false);
  });
});

async function waitUntil(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
