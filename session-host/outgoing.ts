import type { WASocket } from '@whiskeysockets/baileys';
import { settledWithin } from '../src/deadline.js';
import { WorkerError, errorCode, errorMessage } from '../src/errors.js';
import type { OutgoingMessage, ReceiptMessage, SendResult } from '../src/ipc/protocol.js';
import type { Logger } from '../src/logger.js';
import { newMessageId } from '../src/message-id.js';
import { toJid } from './message-map.js';
import { prepareSend, relayMessage } from './messaging.js';
import type { SentMessages, SentRecord } from './sent-messages.js';

export const DEFAULT_SEND_CONFIRM_TIMEOUT_MS = 20_000;

type MediaBytes = NonNullable<Parameters<typeof prepareSend>[2]>;

export interface OutgoingDeps {
  store: SentMessages;
  /** The open socket, if any. */
  socket(): WASocket | undefined;
  confirmTimeoutMs: number;
  /** The late outcome of a send answered `pending` (a message-status event for the backend). */
  report(receipt: ReceiptMessage): void;
  logger: Logger;
}

/**
 * Sends that are never duplicated and never answered with an error while they may still go out:
 *   - a message id the store knows is answered from the store, never sent again;
 *   - a new send is recorded `pending` (durably) before Baileys sees it;
 *   - Baileys gets `confirmTimeoutMs` to hand it to WhatsApp; after that the answer is `pending`,
 *     the send goes on, and its outcome is reported as a receipt (`sent` or `failed`).
 */
export class OutgoingSends {
  constructor(private readonly deps: OutgoingDeps) {}

  /** `fetchMedia`: a medium's bytes, fetched only for a send that really goes out (never for a replay). */
  async send(to: string, message: OutgoingMessage, messageId: string = newMessageId(), fetchMedia?: (message: OutgoingMessage) => Promise<MediaBytes | undefined>): Promise<SendResult> {
    const { store } = this.deps;
    const known = store.get(messageId);
    if (known) return answerFrom(messageId, known);
    toJid(to); // a bad recipient is a 400 whatever the connection
    if (!this.deps.socket()) throw new WorkerError('NOT_CONNECTED', 'the session is not connected to WhatsApp');
    const prepared = await prepareSend(to, message, await fetchMedia?.(message));
    const again = store.get(messageId); // the same id may have arrived while preparing
    if (again) return answerFrom(messageId, again);
    const sock = this.deps.socket();
    if (!sock) throw new WorkerError('NOT_CONNECTED', 'the session is not connected to WhatsApp');
    await store.begin(messageId, prepared.jid);
    const sending = relayMessage(sock, prepared, messageId).then(
      async (sent) => {
        await store.sent(messageId, prepared.jid, sent.message).catch((err: unknown) => this.deps.logger.error({ err, messageId }, 'could not record a sent message'));
        return sent;
      },
      async (err: unknown) => {
        const error = { code: errorCode(err), message: errorMessage(err) };
        await store.failed(messageId, prepared.jid, error).catch((e: unknown) => this.deps.logger.error({ err: e, messageId }, 'could not record a failed send'));
        throw err;
      },
    );
    const settled = await settledWithin(sending, this.deps.confirmTimeoutMs);
    if (settled.done) {
      if (!settled.ok) throw settled.error;
      return { messageId, to: settled.value.to, status: 'sent', timestamp: new Date().toISOString() };
    }
    this.deps.logger.warn({ messageId, confirmTimeoutMs: this.deps.confirmTimeoutMs }, 'send not confirmed in time; answered pending, it goes on');
    const report = (status: 'sent' | 'failed') => this.deps.report({ type: 'receipt', messageId, remoteJid: prepared.jid, status, at: new Date().toISOString() });
    sending.then(() => report('sent'), () => report('failed'));
    return { messageId, to: prepared.jid, status: 'pending', timestamp: new Date().toISOString() };
  }
}

/** A send the store already knows: its state, never a second send. */
function answerFrom(messageId: string, record: SentRecord): SendResult {
  if (record.status === 'failed') {
    throw new WorkerError(record.error?.code === 'SEND_INTERRUPTED' ? 'SEND_INTERRUPTED' : 'SEND_FAILED', record.error?.message ?? 'the send failed', { details: { messageId } });
  }
  return { messageId, to: record.jid, status: record.status, timestamp: record.at };
}
