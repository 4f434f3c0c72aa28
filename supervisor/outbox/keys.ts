import { randomUUID } from 'node:crypto';
import type { OutboundEvent } from '../backend/contract.js';

/**
 * Idempotency keys of outbound events (pure apart from the UUID of a status event). A key is
 * stable for the life of the event: it is computed once, stored with the event in the outbox and
 * sent with every attempt, so a backend that saw an attempt whose answer we lost can drop the
 * repeat. Parts are URI-encoded so the key is always a valid header value.
 *
 * - incoming message: `<sessionId>:<messageId>` — the same message reported twice (a host
 *   restart, WhatsApp re-delivering an offline message) gets the same key;
 * - receipt: `<sessionId>:<messageId>:<status>`;
 * - session status: `<sessionId>:status:<uuid>` — every status change is its own event.
 */
export function idempotencyKey(event: OutboundEvent, uuid: () => string = randomUUID): string {
  const session = encodeURIComponent(event.sessionId);
  switch (event.kind) {
    case 'messages':
      return `${session}:${encodeURIComponent(event.messages[0]?.id ?? uuid())}`;
    case 'message-status':
      return `${session}:${encodeURIComponent(event.messageId)}:${event.status}`;
    case 'session-status':
      return `${session}:status:${uuid()}`;
  }
}

/** One incoming-message event per message: each has its own key, lane order keeps their order. */
export function splitMessages(event: OutboundEvent): OutboundEvent[] {
  if (event.kind !== 'messages' || event.messages.length <= 1) return [event];
  return event.messages.map((m) => ({ ...event, messages: [m] }));
}
