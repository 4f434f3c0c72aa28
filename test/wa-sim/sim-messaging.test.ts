/** 1:1 text both ways between a real Baileys client (child process) and simulated contacts' phones. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSimBuilt } from './build.js';
import type { SimMessage } from './index.js';
import { SimHarness } from './sim-harness.js';

let h: SimHarness;
beforeAll(async () => {
  await ensureSimBuilt();
  h = await SimHarness.start();
});
afterAll(() => h?.close());

describe('messaging', () => {
  it('a text goes from the client to a contact and from contacts to the client', async () => {
    const seen: SimMessage[] = [];
    h.sim.on('message', (m: SimMessage) => seen.push(m));
    const decryptErrors: unknown[] = [];
    h.sim.on('decrypt-error', (e) => decryptErrors.push(e));
    const { client } = await h.pairedClient('15550020001');

    // client → contact: usync with LIDs, prekey bundle, pkmsg, ack + delivery receipt
    const id = await client.sendText('15550020002@s.whatsapp.net', 'hello from the gateway');
    await waitUntil(() => seen.length > 0);
    expect(seen).toEqual([{ from: '15550020001', to: '15550020002', text: 'hello from the gateway', id, content: expect.objectContaining({ extendedTextMessage: { text: 'hello from the gateway' } }) }]);

    // contact → client on the session the client started
    await h.sim.deliverText('15550020002', '15550020001', 'hello back');
    const reply = await client.waitFor('message', (m) => m.text === 'hello back');
    expect(reply.from).toMatch(/^15550020002@s\.whatsapp\.net$|@lid$/);
    expect(reply.fromMe).toBe(false);

    // a contact who writes first (the simulator consumes one of the client's uploaded prekeys)
    await h.sim.deliverText('15550020003', '15550020001', 'first contact');
    await client.waitFor('message', (m) => m.text === 'first contact');
    // …and the client answers them
    const id2 = await client.sendText('15550020003@s.whatsapp.net', 'answer');
    await waitUntil(() => seen.some((m) => m.id === id2));
    expect(seen.find((m) => m.id === id2)).toMatchObject({ from: '15550020001', to: '15550020003', text: 'answer' });
    expect(decryptErrors).toEqual([]);
    expect(h.unhandled.filter((u) => u.phone === '15550020001')).toEqual([]);
  });

  it('messages to a device that is not connected are held and delivered at its next login, flagged offline, in order', async () => {
    const { client, authDir } = await h.pairedClient('15550020011');
    await h.sim.deliverText('15550020012', '15550020011', 'while online');
    await client.waitFor('message', (m) => m.text === 'while online' && m.upsertType === 'notify');
    await client.shutdown();
    await waitUntil(() => h.sim.devices().every((d) => d.phone !== '15550020011' || !d.connected));

    const texts = ['held 1', 'held 2', 'held 3'];
    for (const t of texts) await h.sim.deliverText('15550020012', '15550020011', t);
    // a contact who never wrote before: its first message is a pkmsg on one of the uploaded prekeys
    await h.sim.deliverText('15550020013', '15550020011', 'held from a new contact');
    expect(h.sim.queuedFor('15550020011')).toBe(4);

    const again = h.client(authDir);
    await again.waitFor('open');
    // (the first login after pairing: Baileys buffers events up to 20 s waiting for a history
    // sync the simulator does not send, so these can take that long)
    const got = [];
    for (const t of [...texts, 'held from a new contact']) got.push(await again.waitFor('message', (m) => m.text === t));
    // Baileys upserts what the server held as `append` (node.attrs.offline)
    expect(got.map((m) => m.upsertType)).toEqual(['append', 'append', 'append', 'append']);
    const order = again.events.filter((e) => e.type === 'message').map((e) => (e as { text: string }).text);
    expect(order).toEqual([...texts, 'held from a new contact']);
    await waitUntil(() => h.sim.queuedFor('15550020011') === 0);
  });

  it('holdNext sits on the device-list answer until released; requestRetry makes the client send again', async () => {
    const seen: SimMessage[] = [];
    h.sim.on('message', (m: SimMessage) => seen.push(m));
    const { client } = await h.pairedClient('15550020021');
    const hold = h.sim.holdNext('usync', '15550020021');
    const sending = client.sendText('15550020022@s.whatsapp.net', 'slow server');
    await hold.caught;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(seen.filter((m) => m.text === 'slow server')).toEqual([]);
    hold.release();
    const id = await sending;
    await waitUntil(() => seen.some((m) => m.id === id));

    // the contact could not decrypt it: the client answers the retry receipt with a new copy
    h.sim.requestRetry('15550020022', '15550020021', id);
    await waitUntil(() => seen.filter((m) => m.id === id).length === 2);
    expect(seen.filter((m) => m.id === id).map((m) => m.text)).toEqual(['slow server', 'slow server']);
  });

  it('deliverText to an account with no connected device fails loudly', async () => {
    await expect(h.sim.deliverText('15550020002', '15559999999', 'nobody home')).rejects.toThrow(/no connected device/);
  });
});

async function waitUntil(pred: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
