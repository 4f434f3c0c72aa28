/**
 * Pure parts of pairing by phone-number code (issue 19 §1): the phone-number rule, what the backend
 * and the client webhook hear, the whatsam mapping, the terminal print, and which creds count as
 * paired while a code waits.
 */
import pino from 'pino';
import { initAuthCreds } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { isPairedCreds, isPairingCodePending } from '../../session-host/auth/files.js';
import { pairingPhoneDigits } from '../../src/phone-number.js';
import type { SessionEvent } from '../../src/session-view.js';
import { toOutbound } from '../../supervisor/backend/outbound-events.js';
import { seedProfile } from '../../supervisor/backend/profiles/seed.js';
import { webhookBody } from '../../supervisor/backend/profiles/webhook.js';
import { whatsamProfile } from '../../supervisor/backend/profiles/whatsam.js';
import { toWhatsamStatus } from '../../supervisor/backend/whatsam-status.js';
import { judge } from '../../supervisor/recovery/outcome.js';
import type { QrRenderer } from '../../supervisor/qr/qr-renderer.js';
import { printQrCodes } from '../../supervisor/qr/terminal-qr.js';

const at = '2026-12-03T12:00:00.000Z';
const event: SessionEvent = { kind: 'pairing-code', sessionId: 's1', pairingCode: 'ABCD1234', phoneNumber: '15550001111', expiresAt: at, at };

describe('the phone number a code is asked for', () => {
  it('accepts international numbers with spaces, dashes, dots, brackets and one +', () => {
    expect(pairingPhoneDigits('+1 555 000-1111')).toBe('15550001111');
    expect(pairingPhoneDigits('(49) 151.2345.6789')).toBe('4915123456789');
    expect(pairingPhoneDigits('1234567')).toBe('1234567');
  });
  it('refuses letters, a leading 0, too short, too long, two +, a JID', () => {
    for (const bad of ['12ab', '0555 0601 001', '123456', '1234567890123456', '++15550001111', '15550001111@s.whatsapp.net', '']) {
      expect(pairingPhoneDigits(bad), bad).toBeNull();
    }
  });
});

describe('what the backend hears', () => {
  it('a pairing-code event is `pairing_code` with the code, its expiry and the phone', () => {
    const out = toOutbound(event);
    expect(out).toEqual({ kind: 'session-status', sessionId: 's1', event: 'pairing_code', status: 'pairing_code_required', phoneNumber: '15550001111', pairingCode: 'ABCD1234', pairingCodeExpiresAt: at, at });
    const seed = seedProfile.event('w1', out!, 'k1');
    expect(seed?.body).toMatchObject({ event: 'pairing_code', status: 'pairing_code_required', pairingCode: 'ABCD1234', pairingCodeExpiresAt: at, phoneNumber: '15550001111' });
    expect(seed?.body).not.toHaveProperty('qrCode');
    expect(webhookBody('w1', out!, 'k1').data).toMatchObject({ event: 'pairing_code', pairingCode: 'ABCD1234', pairingCodeExpiresAt: at });
  });
  it('whatsam: QR_REQUIRED, the 8 characters in qrCode (its closest field)', () => {
    expect(toWhatsamStatus('pairing_code_required')).toBe('QR_REQUIRED');
    const body = whatsamProfile.event('w1', toOutbound(event)!, 'k1')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ sessionId: 's1', status: 'QR_REQUIRED', qrCode: 'ABCD1234', phoneNumber: '15550001111' });
    expect(body).not.toHaveProperty('pairingCode');
  });
  it('a recovering session that ends up asking for a code needs a person, like one showing a QR', () => {
    const state = { status: 'pairing_code_required', phase: 'running', readyAt: 1, restored: true, reason: null, incarnation: 1 };
    expect(judge({ state, view: {} } as never)).toEqual({ outcome: 'failed', reason: 'auth_expired', retryable: false });
  });
});

describe('standalone terminal', () => {
  it('prints the code (grouped 4-4) with the session, the phone and its expiry', () => {
    const written: string[] = [];
    let listener: (e: SessionEvent) => void = () => undefined;
    printQrCodes({ renderer: {} as QrRenderer, subscribe: (l) => ((listener = l), () => undefined), write: (t) => written.push(t), logger: pino({ level: 'silent' }) });
    listener(event);
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('session s1');
    expect(written[0]).toContain('+15550001111');
    expect(written[0]).toContain('ABCD-1234');
    expect(written[0]).toContain(at);
  });
});

describe('creds while a code waits', () => {
  const fresh = initAuthCreds();
  const asked = { ...fresh, pairingCode: 'ABCD1234', me: { id: '15550001111@s.whatsapp.net', name: '~' } };
  it('are a pairing in progress, not a pairing (never uploaded, never logged in with)', () => {
    expect(isPairingCodePending(asked)).toBe(true);
    expect(isPairedCreds(asked)).toBe(false);
  });
  it('are paired once the pair-success brought the signed account (the code stays in creds)', () => {
    const linked = { ...asked, me: { id: '15550001111:1@s.whatsapp.net' }, account: { details: Buffer.from('x') } };
    expect(isPairingCodePending(linked)).toBe(false);
    expect(isPairedCreds(linked)).toBe(true);
  });
});
