/**
 * Pairing by phone-number code inside a real session host (issue 19 §1) against the simulator:
 * the limits a code shares with QR codes — it expires with a QR's lifetime (the host then ends
 * that socket and registers afresh, so the old code can no longer link) and it counts as one of
 * QR_MAX_ATTEMPTS — and the host's own refusals.
 */
import { describe, expect, it } from 'vitest';
import type { QrMessage } from '../../src/ipc/protocol.js';
import { useSimEnv } from './sim-env.js';

describe('pairing codes in a session host', () => {
  const env = useSimEnv();

  it('a code not typed in time expires: a fresh registration, the old code dead, a new code links', async () => {
    const h = env.host('code-expiry', await env.tempDir(), { qrTimeoutMs: 3_000, qrMaxAttempts: 5 });
    await h.waitFor((m): m is QrMessage => m.type === 'qr');
    const from = h.messages.length;
    const asked = await h.request({ type: 'pairing-code', phone: '15550072001', waitMs: 5_000 });
    expect(asked).toMatchObject({ ok: true, result: { phoneNumber: '15550072001', pairingCode: expect.stringMatching(/^[0-9A-Z]{8}$/) } });
    const first = (asked as { result: { pairingCode: string; expiresAt: string } }).result;
    expect(Date.parse(first.expiresAt) - Date.now()).toBeGreaterThan(1_500);
    await h.waitStatus('pairing_code_required', 5_000, from);
    // expired: the socket that asked is ended and a new registration shows QR codes again
    await h.waitStatus('connecting', 10_000, from);
    await h.waitFor((m): m is QrMessage => m.type === 'qr', 10_000, from);
    await h.waitStatus('qr_required', 5_000, from);
    await expect(env.sim.enterPairingCode('15550072001', first.pairingCode)).rejects.toThrow(/no companion is waiting/);

    const again = await h.request({ type: 'pairing-code', phone: '15550072001', waitMs: 5_000 });
    expect(again).toMatchObject({ ok: true });
    await env.sim.enterPairingCode('15550072001', (again as { result: { pairingCode: string } }).result.pairingCode);
    await h.waitStatus('connected', 20_000, from);
    expect(await h.request({ type: 'pairing-code', phone: '15550072001', waitMs: 1_000 })).toMatchObject({ ok: false, error: { code: 'ALREADY_LINKED' } });
  });

  it('a code is one of QR_MAX_ATTEMPTS; past the cap a request is refused and the code on offer still links', async () => {
    const h = env.host('code-cap', await env.tempDir(), { qrMaxAttempts: 2 });
    await h.waitFor((m): m is QrMessage => m.type === 'qr'); // attempt 1
    expect(await h.request({ type: 'pairing-code', phone: '1555x', waitMs: 1_000 })).toMatchObject({ ok: false, error: { code: 'INVALID_PHONE_NUMBER' } });
    const code = await h.request({ type: 'pairing-code', phone: '15550072011', waitMs: 5_000 }); // attempt 2
    expect(code).toMatchObject({ ok: true });
    expect(await h.request({ type: 'pairing-code', phone: '15550072011', waitMs: 5_000 })).toMatchObject({ ok: false, error: { code: 'PAIRING_ATTEMPTS_EXHAUSTED' } });
    expect(h.statuses().at(-1)?.status).toBe('pairing_code_required');
    await env.sim.enterPairingCode('15550072011', (code as { result: { pairingCode: string } }).result.pairingCode);
    await h.waitStatus('connected', 20_000);
  });
});
