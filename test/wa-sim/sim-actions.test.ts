/**
 * Each server action against a real Baileys client in a child process: the close code Baileys
 * reports must be the one it maps to the intended DisconnectReason. Actions the client recovers
 * from are chained on one client (fewer processes on a shared 2-core machine); the chains
 * run concurrently so the keep-alive waits (about 7 s each: Baileys adds 5 s to the
 * interval) overlap.
 */
import { DisconnectReason } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSimBuilt } from './build.js';
import type { ClientHandle } from './client-handle.js';
import { SimHarness } from './sim-harness.js';

let h: SimHarness;
const closed: { phone?: string; code: number | null }[] = [];
beforeAll(async () => {
  await ensureSimBuilt();
  h = await SimHarness.start();
  h.sim.on('closed', (c) => closed.push(c));
});
afterAll(() => h?.close());

/** Runs `action` and returns the close the client reports after it. */
async function closeAfter(client: ClientHandle, action: () => void, timeoutMs = 20_000) {
  const mark = client.mark();
  action();
  const close = await client.waitFor('close', () => true, timeoutMs, mark);
  return { close, mark };
}

describe.concurrent('server actions', () => {
  it('drop → 428 and back to open; refused login → 503 and back to open; forceLogout → 401', async () => {
    const phone = '15550010001';
    const { client } = await h.pairedClient(phone);

    const drop = await closeAfter(client, () => h.sim.dropConnection(phone));
    expect(drop.close.code).toBe(DisconnectReason.connectionClosed);
    expect(drop.close.reconnect).toBe(true);
    await client.waitFor('open', () => true, 15_000, drop.mark);

    h.sim.failNextLogin(phone, 'refuse');
    const refused = await closeAfter(client, () => h.sim.dropConnection(phone));
    expect(refused.close.code).toBe(DisconnectReason.connectionClosed);
    const refusal = await client.waitFor('close', (e) => e.socket > refused.close.socket, 15_000, refused.mark);
    expect(refusal.code).toBe(DisconnectReason.unavailableService);
    await client.waitFor('open', () => true, 15_000, refused.mark); // only the next login fails

    const logout = await closeAfter(client, () => h.sim.forceLogout(phone));
    expect(logout.close.code).toBe(DisconnectReason.loggedOut);
    expect(logout.close.reconnect).toBe(false);
    expect(h.sim.devices().some((d) => d.phone === phone)).toBe(false);
    // the client may report its close before the server sees the socket end
    await waitUntil(() => closed.filter((c) => c.phone === phone).length === 4);
    expect(closed.filter((c) => c.phone === phone).map((c) => c.code)).toEqual([428, 428, 503, 401]);
  });

  it('stall → the keep-alive notices (408 connectionLost) and the client is back to open', async () => {
    const phone = '15550010002';
    const { client } = await h.pairedClient(phone, { keepAliveMs: 1_000 });
    const stall = await closeAfter(client, () => h.sim.stall(phone));
    expect(stall.close.code).toBe(DisconnectReason.connectionLost);
    await client.waitFor('open', () => true, 15_000, stall.mark);
  });

  it('hanging login → 408 and back to open; replace → 440', async () => {
    const phone = '15550010004';
    const { client } = await h.pairedClient(phone, { keepAliveMs: 1_000 });
    h.sim.failNextLogin(phone, 'hang');
    const dropped = await closeAfter(client, () => h.sim.dropConnection(phone));
    const hung = await client.waitFor('close', (e) => e.socket > dropped.close.socket, 20_000, dropped.mark);
    expect(hung.code).toBe(DisconnectReason.connectionLost);
    await client.waitFor('open', () => true, 15_000, dropped.mark);

    const replaced = await closeAfter(client, () => h.sim.replaceConnection(phone));
    expect(replaced.close.code).toBe(DisconnectReason.connectionReplaced);
    expect(replaced.close.reconnect).toBe(false);
  });

  it('stream error 411 → multideviceMismatch, 500 → badSession (device kept); logout → device forgotten', async () => {
    const phone = '15550010005';
    const { client, authDir, deviceJid } = await h.pairedClient(phone);
    const mismatch = await closeAfter(client, () => h.sim.closeWithStreamError(phone, 411));
    expect(mismatch.close.code).toBe(DisconnectReason.multideviceMismatch);
    expect(h.sim.devices().some((d) => d.deviceJid === deviceJid)).toBe(true);
    await client.shutdown();

    const second = h.client(authDir); // same auth: the device may still log in
    await second.waitFor('open');
    const bad = await closeAfter(second, () => h.sim.closeWithStreamError(phone, 500));
    expect(bad.close.code).toBe(DisconnectReason.badSession);
    await second.shutdown();

    const third = h.client(authDir);
    await third.waitFor('open');
    const removed = new Promise((resolve) => {
      const on = (e: { phone: string }) => {
        if (e.phone !== phone) return;
        h.sim.off('device-removed', on);
        resolve(e);
      };
      h.sim.on('device-removed', on);
    });
    const out = await third.logout();
    expect(out.code).toBe(DisconnectReason.loggedOut);
    expect(await removed).toMatchObject({ phone, deviceJid, reason: 'user_initiated' });
    expect(h.sim.devices().some((d) => d.deviceJid === deviceJid)).toBe(false);
    expect(h.unhandled.filter((u) => u.phone === phone)).toEqual([]);
    await third.shutdown();

    // the server forgot it: the same auth is refused at login
    const fourth = h.client(authDir);
    expect((await fourth.waitFor('close')).code).toBe(DisconnectReason.loggedOut);
    await waitUntil(() => closed.filter((c) => c.phone === phone).length === 4);
    // the logout connection was closed by the client (null), not kicked by the server
    expect(closed.filter((c) => c.phone === phone).map((c) => c.code)).toEqual([411, 500, null, 401]);
  });

  it('a second login of the same device kicks the first with 440', async () => {
    const { client, authDir } = await h.pairedClient('15550010003');
    await client.shutdown(); // auth fully written; now run two copies of it
    const a = h.client(authDir);
    await a.waitFor('open');
    const mark = a.mark();
    const b = h.client(authDir);
    await b.waitFor('open');
    const close = await a.waitFor('close', () => true, 15_000, mark);
    expect(close.code).toBe(DisconnectReason.connectionReplaced);
    expect(h.sim.devices().find((d) => d.phone === '15550010003')?.connected).toBe(true);
  });
});

async function waitUntil(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
