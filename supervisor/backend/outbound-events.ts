import { isTransientBootFailure } from '../../src/exit-codes.js';
import type { SessionEvent } from '../../src/session-view.js';
import type { OutboundEvent } from './contract.js';

/**
 * Supervisor events → what the backend hears (pure). Status changes are named after the status;
 * a new QR code is `qr_ready` (it carries the code so the backend can show it), a pairing code is
 * `pairing_code` (with the code, its expiry and the phone that must enter it); recovery results
 * are `recovery_successful` / `recovery_failed` (with the reason) / `recovery_skipped`.
 */
export function toOutbound(e: SessionEvent): OutboundEvent | null {
  switch (e.kind) {
    case 'status':
      return {
        kind: 'session-status',
        sessionId: e.sessionId,
        event: e.status,
        status: e.status,
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
        phoneNumber: e.phoneNumber,
        at: e.at,
      };
    case 'qr':
      return { kind: 'session-status', sessionId: e.sessionId, event: 'qr_ready', status: 'qr_required', phoneNumber: null, qr: e.qr, qrExpiresAt: e.expiresAt, at: e.at };
    case 'pairing-code':
      // The phone number is the one the code was asked for (the account is not linked yet).
      return { kind: 'session-status', sessionId: e.sessionId, event: 'pairing_code', status: 'pairing_code_required', phoneNumber: e.phoneNumber, pairingCode: e.pairingCode, pairingCodeExpiresAt: e.expiresAt, at: e.at };
    case 'recovery': {
      const r = e.result;
      const event = r.outcome === 'recovered' ? 'recovery_successful' : r.outcome === 'failed' ? 'recovery_failed' : 'recovery_skipped';
      const reason = r.outcome === 'failed' ? (r.reason ?? 'unknown') : r.reason;
      return {
        kind: 'session-status',
        sessionId: e.sessionId,
        event,
        // A failed recovery with a non-terminal status still failed: the backend sees `failed` —
        // unless the session is still retrying a transient boot failure (it is `recovering`).
        status: r.outcome === 'failed' && r.status !== 'logged_out' && r.status !== 'replaced' && !isTransientBootFailure(r.reason) ? 'failed' : r.status,
        ...(reason !== undefined ? { reason } : {}),
        phoneNumber: r.phoneNumber,
        at: r.at,
      };
    }
    case 'message-in':
      return e.messages.length === 0 ? null : { kind: 'messages', sessionId: e.sessionId, messages: [...e.messages] };
    case 'receipt':
      return { kind: 'message-status', sessionId: e.sessionId, messageId: e.messageId, remoteJid: e.remoteJid, status: e.status, at: e.at };
  }
}

/** Messages counted for the heartbeat's `messageCount`: received messages plus sent ones (their first `sent` receipt). */
export function countedMessages(e: SessionEvent): number {
  if (e.kind === 'message-in') return e.messages.length;
  if (e.kind === 'receipt' && e.status === 'sent') return 1;
  return 0;
}
