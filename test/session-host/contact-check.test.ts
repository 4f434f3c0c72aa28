import { describe, expect, it } from 'vitest';
import { ContactCache, phoneOfJid } from '../../session-host/contact-check.js';
import { useSimEnv } from './sim-env.js';

/**
 * Number checks (issue 19 §3): a real host and Baileys' `onWhatsApp` against the simulator, which
 * answers the usync `contact` protocol `in` for numbers it knows and `out` for any other.
 */
describe('contact cache (pure)', () => {
  it('remembers an answer for its TTL, forgets it after; TTL 0 remembers nothing', () => {
    let now = 1_000;
    const cache = new ContactCache(500, () => now);
    cache.set({ phone: '15550001', exists: false, jid: null });
    expect(cache.get('15550001')).toEqual({ phone: '15550001', exists: false, jid: null });
    now += 499;
    expect(cache.get('15550001')).toBeDefined();
    now += 1;
    expect(cache.get('15550001')).toBeUndefined();
    const off = new ContactCache(0, () => now);
    off.set({ phone: '15550001', exists: true, jid: '15550001@s.whatsapp.net' });
    expect(off.get('15550001')).toBeUndefined();
  });
  it('only phone-number JIDs are checked', () => {
    expect(phoneOfJid('15550001111@s.whatsapp.net')).toBe('15550001111');
    expect(phoneOfJid('120363000000000000@g.us')).toBeUndefined();
    expect(phoneOfJid('123456789012345@lid')).toBeUndefined();
  });
});

describe('number checks through a session host', () => {
  const env = useSimEnv();

  it('known numbers exist with their JID, unknown ones do not; answers are cached for the TTL', async () => {
    const h = env.host('contacts-1', await env.tempDir(), { contactCacheTtlMs: 1_500 });
    await env.pair(h, '15550071001');
    env.sim.registerContact('15550071002');
    expect(await h.request({ type: 'check-contact', phone: '15550071002' })).toMatchObject({
      ok: true,
      result: { phone: '15550071002', exists: true, jid: '15550071002@s.whatsapp.net' },
    });
    expect(await h.request({ type: 'check-contact', phone: '15550071003' })).toMatchObject({ ok: true, result: { phone: '15550071003', exists: false, jid: null } });
    // the number joins WhatsApp: the cached "absent" stands until the TTL has passed
    env.sim.registerContact('15550071003');
    expect(await h.request({ type: 'check-contact', phone: '15550071003' })).toMatchObject({ ok: true, result: { exists: false } });
    await new Promise((r) => setTimeout(r, 1_600));
    expect(await h.request({ type: 'check-contact', phone: '15550071003' })).toMatchObject({ ok: true, result: { exists: true, jid: '15550071003@s.whatsapp.net' } });
  });

  it('a send to a number that is not on WhatsApp fails RECIPIENT_NOT_ON_WHATSAPP and nothing goes out', async () => {
    const h = env.host('contacts-2', await env.tempDir());
    await env.pair(h, '15550071011');
    const seen: string[] = [];
    env.sim.on('message', (m: { to: string }) => seen.push(m.to));
    const refused = await h.request({ type: 'send', to: '15550071012', message: { type: 'text', text: 'into the void' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'RECIPIENT_NOT_ON_WHATSAPP' } });
    env.sim.registerContact('15550071013');
    const sent = await h.request({ type: 'send', to: '15550071013', message: { type: 'text', text: 'to a known number' } });
    expect(sent).toMatchObject({ ok: true, result: { status: 'sent' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(['15550071013']);
  });

  it('a host that is not connected answers NOT_CONNECTED', async () => {
    const h = env.host('contacts-3', await env.tempDir());
    await h.waitFor((m) => m.type === 'qr');
    expect(await h.request({ type: 'check-contact', phone: '15550071021' })).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
  });
});
