import { cleanMessage, type WAMessage, type WASocket } from '@whiskeysockets/baileys';
import { errorCode, errorMessage } from '../src/errors.js';
import type { IncomingMessage } from '../src/ipc/protocol.js';
import type { Logger } from '../src/logger.js';
import { hasMedia, type Enrich } from './incoming-queue.js';
import { incomingOf } from './messaging.js';

/**
 * How long a decrypted message waits for the supervisor's outbox before the host gives up on it:
 * WhatsApp then gets a NACK instead of the receipt and keeps the message. Long enough for a
 * supervisor whose event loop lags under load (the outbox write itself is ~0.1 ms); short enough
 * that a wedged supervisor does not hold the session's incoming messages (Baileys handles them
 * one at a time) for long.
 */
export const INBOX_ACK_TIMEOUT_MS = 15_000;
/** Ids the inbox delivered, so their later `messages.upsert` is not reported again. */
const REMEMBERED_IDS = 4_096;

export interface InboxOptions {
  /** Hands messages to the supervisor; resolves once its outbox committed them (IpcChannel.deliver). */
  deliver(messages: IncomingMessage[], timeoutMs: number): Promise<void>;
  /** Media download and storage, loaded on first use (media/incoming.ts). */
  enrich(): Promise<Enrich>;
  /** This device's own ids, for Baileys' jid normalisation. */
  me(): { id?: string | undefined; lid?: string | undefined } | undefined;
  logger: Logger;
  /**
   * A message could not be handed over: Baileys NACKs it and WhatsApp keeps it. WhatsApp
   * redelivers held messages at a login, so the host ends this socket for a new one.
   */
  undelivered(sock: WASocket, err: unknown): void;
  ackTimeoutMs?: number;
}

/**
 * The host's side of "receipt only after the outbox has it" (issues 13 §8, 14). Baileys calls
 * `accept` for every decrypted message before it sends the delivery receipt (the hook added by
 * scripts/patch-baileys.mjs); the receipt goes out only when `accept` resolves. A message the
 * gateway delivers (`incomingOf`, the upsert path's own filter) is mapped, its medium stored, and
 * handed to the supervisor, which answers once the outbox committed it; a throw leaves the
 * message with WhatsApp. Messages are handled one at a time (Baileys' message mutex), in order.
 */
export class Inbox {
  private readonly delivered = new Set<string>();

  constructor(private readonly o: InboxOptions) {}

  /** Whether `accept` handed this message over (its upsert is skipped). */
  has(messageId: string): boolean {
    return this.delivered.has(messageId);
  }

  async accept(sock: WASocket, msg: WAMessage, type: 'notify' | 'append'): Promise<void> {
    const id = msg.key?.id;
    if (!id || this.delivered.has(id)) return;
    let mapped: IncomingMessage | null;
    try {
      mapped = incomingOf(cleanedView(msg, this.o.me()), type);
    } catch (err) {
      // Same outcome as on the upsert path: a message that cannot be mapped is not delivered.
      this.o.logger.warn({ err }, 'could not map an incoming message');
      return;
    }
    if (!mapped) return;
    try {
      const messages = hasMedia([mapped]) ? await (await this.o.enrich())([mapped], [msg], sock) : [mapped];
      await this.o.deliver(messages, this.o.ackTimeoutMs ?? INBOX_ACK_TIMEOUT_MS);
    } catch (err) {
      this.o.logger.warn({ messageId: id, code: errorCode(err), err: errorMessage(err) }, 'incoming message not confirmed by the supervisor; WhatsApp keeps it for redelivery');
      this.o.undelivered(sock, err);
      throw err;
    }
    this.remember(id);
  }

  private remember(id: string): void {
    this.delivered.add(id);
    if (this.delivered.size > REMEMBERED_IDS) this.delivered.delete(this.delivered.values().next().value!);
  }
}

/**
 * `msg` with the key Baileys' `cleanMessage` gives it before the upsert (jids without device or
 * agent), so both paths map a message alike. Only a copy of the key is cleaned: the message itself
 * still goes on to Baileys' receipt (which needs the raw jids) and its own `cleanMessage`.
 */
function cleanedView(msg: WAMessage, me: { id?: string | undefined; lid?: string | undefined } | undefined): WAMessage {
  const probe = { key: { ...msg.key }, message: null } as WAMessage;
  if (me?.id) cleanMessage(probe, me.id, me.lid ?? '');
  return { ...msg, key: probe.key };
}
