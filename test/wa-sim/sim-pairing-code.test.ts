/**
 * Pairing by phone-number code with the real Baileys rc14 client (issue 19 §1): the client asks for
 * a code (`requestPairingCode`), the test types it on the simulated phone, and the client links and
 * logs in exactly as after a QR scan — then a new process logs in with the saved auth and no code.
 * A wrong code fails at the phone and leaves the companion waiting for the right one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSimBuilt } from './build.js';
import { SimHarness } from './sim-harness.js';

let h: SimHarness;
beforeAll(async () => {
  await ensureSimBuilt();
  h = await SimHarness.start();
});
afterAll(() => h?.close());

describe('pairing by phone-number code', () => {
  it('a wrong code is refused at the phone; the right one links, 515, open; a new process logs in with no QR and no code', async () => {
    const phone = '15550002222';
    const refused: { phone: string }[] = [];
    h.sim.on('pairing-code-refused', (e: { phone: string }) => refused.push(e));
    const authDir = h.authDir();
    const client = h.client(authDir);
    await client.waitFor('qr'); // the socket is in its pair-device round: a code may be asked now
    const code = await client.requestPairingCode(phone);
    expect(code).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/); // Baileys' Crockford-style alphabet (no 0, I, O, U; L is in it), 8 characters
    await waitUntil(() => h.sim.waitingForPairingCode().some((w) => w.phone === phone));

    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    await expect(h.sim.enterPairingCode(phone, wrong)).rejects.toMatchObject({ code: 'WRONG_PAIRING_CODE' });
    expect(refused).toEqual([expect.objectContaining({ phone })]);
    expect(h.sim.devices().filter((d) => d.phone === phone)).toEqual([]);

    // typed the way a person does: lower case, with the dash the phone shows
    const typed = `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase();
    const paired = await h.sim.enterPairingCode(phone, typed);
    expect(paired).toEqual({ phone, deviceJid: `${phone}:1@s.whatsapp.net` });
    expect((await client.waitFor('close')).code).toBe(515);
    const open = await client.waitFor('open');
    expect(open.me).toBe(paired.deviceJid);
    expect(h.unhandled).toEqual([]);

    await client.shutdown();
    await waitUntil(() => h.sim.devices().find((d) => d.phone === phone)?.connected === false);
    const qrsBefore = h.sim.qrCount();
    const again = h.client(authDir);
    expect((await again.waitFor('open')).me).toBe(paired.deviceJid);
    expect(again.events.some((e) => e.type === 'qr')).toBe(false);
    expect(h.sim.qrCount()).toBe(qrsBefore);
  });

  it('a code for a phone nobody asked for is refused by the simulator', async () => {
    await expect(h.sim.enterPairingCode('15550009999', 'ABCDEFGH')).rejects.toThrow(/no companion is waiting/);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
