import type { proto, WAMessage, WASocket } from '@whiskeysockets/baileys';
import { WorkerError } from '../src/errors.js';
import type { IncomingMessage, OutgoingMessage, ReceiptMessage } from '../src/ipc/protocol.js';
import type { Logger } from '../src/logger.js';
import { receiptStatus, toContent, toIncoming, toJid } from './message-map.js';

export interface MessagingEvents {
  /** `raw`: the upsert's Baileys messages (media keys live there). */
  incoming(messages: IncomingMessage[], raw: readonly WAMessage[]): void;
  receipt(receipt: ReceiptMessage): void;
  /**
   * Whether the inbox (inbox.ts) already handed this message to the supervisor before its
   * receipt: its upsert is then not reported a second time.
   */
  alreadyDelivered?(messageId: string): boolean;
}

/** Listeners a new socket gets for incoming traffic; returns their removal (for `Connection.attach`). */
export function attachMessaging(sock: WASocket, events: MessagingEvents, logger: Logger): () => void {
  const onUpsert = ({ messages, type }: { messages: Parameters<typeof toIncoming>[0][]; type: string }) => {
    // While Baileys buffers events it folds a receipt for our own message into that message's
    // upsert instead of emitting `messages.update`: report it from there.
    for (const msg of messages) {
      const status = msg.key?.fromMe ? receiptStatus(msg.status) : null;
      if (status && status !== 'pending' && status !== 'sent' && msg.key.id && msg.key.remoteJid) {
        events.receipt({ type: 'receipt', messageId: msg.key.id, remoteJid: msg.key.remoteJid, status, at: new Date().toISOString() });
      }
    }
    const out: IncomingMessage[] = [];
    for (const msg of messages) {
      if (msg.key?.id && events.alreadyDelivered?.(msg.key.id)) continue;
      try {
        const mapped = incomingOf(msg, type);
        if (mapped) out.push(mapped);
      } catch (err) {
        logger.warn({ err }, 'could not map an incoming message');
      }
    }
    if (out.length > 0) events.incoming(out, messages);
  };
  const onUpdate = (updates: { key: { id?: string | null; remoteJid?: string | null; fromMe?: boolean | null }; update: { status?: number | null } }[]) => {
    for (const { key, update } of updates) {
      const status = receiptStatus(update.status);
      if (!status || !key.id || !key.remoteJid || !key.fromMe) continue;
      events.receipt({ type: 'receipt', messageId: key.id, remoteJid: key.remoteJid, status, at: new Date().toISOString() });
    }
  };
  const onReceipt = (updates: { key: { id?: string | null; remoteJid?: string | null }; receipt: { readTimestamp?: unknown; receiptTimestamp?: unknown } }[]) => {
    for (const { key, receipt } of updates) {
      if (!key.id || !key.remoteJid) continue;
      const status = receipt.readTimestamp ? 'read' : receipt.receiptTimestamp ? 'delivered' : null;
      if (status) events.receipt({ type: 'receipt', messageId: key.id, remoteJid: key.remoteJid, status, at: new Date().toISOString() });
    }
  };
  sock.ev.on('messages.upsert', onUpsert as never);
  sock.ev.on('messages.update', onUpdate as never);
  sock.ev.on('message-receipt.update', onReceipt as never);
  return () => {
    sock.ev.off('messages.upsert', onUpsert as never);
    sock.ev.off('messages.update', onUpdate as never);
    sock.ev.off('message-receipt.update', onReceipt as never);
  };
}

/**
 * The one filter and mapping of an incoming message, for the upsert path and the inbox alike:
 * `notify` (live) and `append` (held while offline, flagged) messages of others with real
 * content; null for anything the gateway does not deliver. `msg` as Baileys upserts it
 * (`cleanMessage` applied: normalised jids).
 */
export function incomingOf(msg: WAMessage, type: string): IncomingMessage | null {
  const offline = isOfflineUpsert(type);
  if (type !== 'notify' && !offline) return null;
  if (offline && isNewsletter(msg.key?.remoteJid)) return null;
  const mapped = toIncoming(msg);
  return mapped && offline ? { ...mapped, offline: true } : mapped;
}

/**
 * Baileys upserts what WhatsApp held while this device was offline with type `append`
 * (`node.attrs.offline`, Socket/messages-recv.js in rc14). Those are real messages: before the
 * fix they were receipted to WhatsApp and then dropped. Baileys also labels a buffered batch by
 * the type of its first entry, so the flag is exact for a batch of held messages and best effort
 * when live and held messages are flushed together — every message is delivered either way.
 */
function isOfflineUpsert(type: string): boolean {
  return type === 'append';
}

/** Channel posts also arrive as `append` (plain-text newsletter messages); they are not chats. */
function isNewsletter(jid: string | null | undefined): boolean {
  return typeof jid === 'string' && jid.endsWith('@newsletter');
}

/** A send checked and translated, ready for Baileys: recipient JID and `AnyMessageContent`. */
export interface PreparedSend {
  jid: string;
  content: Record<string, unknown>;
}

/**
 * Checks and translates a send before anything is recorded or sent (INVALID_* errors); a medium
 * comes already fetched (session-host/media/).
 */
export async function prepareSend(to: string, message: OutgoingMessage, media?: Parameters<typeof toContent>[1]): Promise<PreparedSend> {
  return { jid: toJid(to), content: toContent(message, media) };
}

/**
 * Hands one prepared message to Baileys under `messageId`. Resolves when Baileys has written it
 * to WhatsApp, with the message as sent (for `getMessage`); no timer here — outgoing.ts decides
 * how long a caller waits, and the send itself is never abandoned.
 */
export async function relayMessage(sock: WASocket, prepared: PreparedSend, messageId: string): Promise<{ to: string; message: proto.IMessage | null | undefined }> {
  let sent: Awaited<ReturnType<WASocket['sendMessage']>>;
  try {
    sent = await sock.sendMessage(prepared.jid, prepared.content as never, { messageId });
  } catch (err) {
    throw new WorkerError('SEND_FAILED', (err as Error)?.message ?? String(err), { cause: err });
  }
  if (!sent?.key?.id) throw new WorkerError('SEND_FAILED', 'WhatsApp returned no message id');
  return { to: sent.key.remoteJid ?? prepared.jid, message: sent.message };
}
