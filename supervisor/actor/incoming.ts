import type { IncomingMessage, MessageInMessage } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import type { SessionEvent } from '../../src/session-view.js';

/** Commits incoming messages (the outbox's `admitIncoming`); see ActorDeps.admitIncoming. */
export type AdmitIncoming = (sessionId: string, messages: readonly IncomingMessage[]) => { fresh: IncomingMessage[]; stored: boolean };

/**
 * A host's `message-in`, from any incarnation (a message is a message, even from a host on its
 * way out): committed before the host hears the ack that releases WhatsApp's receipt, then fanned
 * out once — a redelivered message is acknowledged again but not published twice. A commit that
 * fails is answered with the error: the host withholds the receipt and WhatsApp keeps the message.
 */
export function takeIncoming(
  sessionId: string,
  event: MessageInMessage,
  io: { admit: AdmitIncoming | undefined; ack(deliveryId: number, error?: { code: string; message: string }): void; emit(e: SessionEvent): void; log: Logger },
): boolean {
  let admitted: { fresh: IncomingMessage[]; stored: boolean };
  try {
    admitted = io.admit?.(sessionId, event.messages) ?? { fresh: event.messages, stored: false };
  } catch (err) {
    io.log.error({ err, messages: event.messages.length }, 'could not commit incoming messages; the host withholds their receipt');
    if (event.deliveryId !== undefined) io.ack(event.deliveryId, { code: (err as { code?: string }).code ?? 'OUTBOX_WRITE_FAILED', message: (err as Error).message });
    return false;
  }
  if (event.deliveryId !== undefined) io.ack(event.deliveryId);
  const { fresh, stored } = admitted;
  if (fresh.length > 0) io.emit({ kind: 'message-in', sessionId, messages: fresh, ...(stored ? { stored } : {}) });
  return true;
}
