import type { OutboundEvent } from '../contract.js';

/**
 * The client webhook's body (WEBHOOK_URL), in any mode: one JSON object per event, shaped like
 * the webhooks of WAHA/Evolution-style gateways — an event name, the session, and the payload.
 * Documented in the OpenAPI (`/docs`, tag `events`) and README "Events and webhooks".
 *
 * `id` is the event's idempotency key (also the `Idempotency-Key` header); `timestamp` is when
 * the event happened, not when this attempt was made.
 */
export type WebhookEventName = 'session.status' | 'message' | 'message.status';

export interface WebhookBody {
  id: string;
  event: WebhookEventName;
  sessionId: string;
  workerId: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export function webhookEventName(kind: OutboundEvent['kind']): WebhookEventName {
  return kind === 'session-status' ? 'session.status' : kind === 'messages' ? 'message' : 'message.status';
}

export function webhookBody(workerId: string, e: OutboundEvent, key: string): WebhookBody {
  const base = { id: key, event: webhookEventName(e.kind), sessionId: e.sessionId, workerId };
  switch (e.kind) {
    case 'session-status':
      return {
        ...base,
        timestamp: e.at,
        data: {
          event: e.event,
          status: e.status,
          phoneNumber: e.phoneNumber,
          ...(e.reason !== undefined ? { reason: e.reason } : {}),
          ...(e.qr !== undefined ? { qr: e.qr, qrExpiresAt: e.qrExpiresAt ?? null } : {}),
          ...(e.pairingCode !== undefined ? { pairingCode: e.pairingCode, pairingCodeExpiresAt: e.pairingCodeExpiresAt ?? null } : {}),
        },
      };
    case 'messages': {
      // One message per event (the outbox splits batches); every field the host reported passes.
      const m = e.messages[0]!;
      return { ...base, timestamp: m.timestamp, data: { ...m } };
    }
    case 'message-status':
      return { ...base, timestamp: e.at, data: { messageId: e.messageId, remoteJid: e.remoteJid, status: e.status } };
  }
}
