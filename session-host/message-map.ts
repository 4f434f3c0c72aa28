import type { proto, WAMessage } from '@whiskeysockets/baileys';
import { WorkerError } from '../src/errors.js';
import type { IncomingMessage, OutgoingMessage, ReceiptStatus } from '../src/ipc/protocol.js';
import { toRichContent } from './rich-content.js';

/**
 * Pure translations between Baileys' message shapes and the IPC protocol. No socket here.
 */

const JID_PATTERN = /^[0-9A-Za-z.:_-]{1,64}@(s\.whatsapp\.net|g\.us|lid|broadcast|newsletter)$/;

/** `to` of the API: a phone number (digits, `+` and separators tolerated) or a full JID. */
export function toJid(to: string): string {
  const trimmed = to.trim();
  if (trimmed.includes('@')) {
    if (!JID_PATTERN.test(trimmed)) throw new WorkerError('INVALID_RECIPIENT', `not a WhatsApp JID: ${JSON.stringify(trimmed).slice(0, 80)}`);
    return trimmed;
  }
  const digits = trimmed.replace(/[\s()+-]/g, '');
  if (!/^\d{5,20}$/.test(digits)) throw new WorkerError('INVALID_RECIPIENT', `not a phone number: ${JSON.stringify(trimmed).slice(0, 80)}`);
  return `${digits}@s.whatsapp.net`;
}

/**
 * Baileys' `AnyMessageContent` for one outgoing message. Media go as the bytes the host fetched
 * (session-host/media/outgoing.ts), never as a URL: Baileys would fetch a URL with no address
 * check, size or time limit.
 */
export function toContent(message: OutgoingMessage, media?: { data: Buffer; contentType?: string | undefined; url: string }): Record<string, unknown> {
  if (message.type === 'text') {
    if (typeof message.text !== 'string' || message.text.length === 0) throw new WorkerError('INVALID_MESSAGE', 'text must be a non-empty string');
    return { text: message.text };
  }
  if (message.type === 'location' || message.type === 'contact' || message.type === 'link' || message.type === 'poll') return toRichContent(message);
  if (message.type !== 'image' && message.type !== 'video' && message.type !== 'audio' && message.type !== 'document') {
    throw new WorkerError('INVALID_MESSAGE', `unsupported message type ${JSON.stringify((message as { type?: unknown }).type)}`);
  }
  if (!media) throw new WorkerError('INVALID_MESSAGE', 'media must be fetched before it is sent');
  // The caller's mimetype wins; the server's Content-Type is used when it is of the right kind.
  const served = media.contentType && (message.type === 'document' || media.contentType.startsWith(`${message.type}/`)) ? media.contentType : undefined;
  const mimetype = message.mimetype ?? served;
  switch (message.type) {
    case 'image':
    case 'video':
      return { [message.type]: media.data, ...(message.caption ? { caption: message.caption } : {}), ...(mimetype ? { mimetype } : {}) };
    case 'audio':
      return { audio: media.data, mimetype: mimetype ?? 'audio/mpeg', ...(message.ptt ? { ptt: true } : {}) };
    case 'document':
      return {
        document: media.data,
        mimetype: mimetype ?? 'application/octet-stream',
        fileName: message.fileName ?? fileNameOf(media.url),
        ...(message.caption ? { caption: message.caption } : {}),
      };
  }
}

function fileNameOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.split('/').pop() || 'file');
  } catch {
    return 'file';
  }
}

/** An incoming `messages.upsert` entry as the supervisor sees it; null for ours and for protocol noise. */
export function toIncoming(msg: WAMessage): IncomingMessage | null {
  const key = msg.key;
  if (!key?.id || !key.remoteJid || key.fromMe) return null;
  const content = unwrap(msg.message);
  if (!content) return null;
  const { type, text } = classify(content);
  if (type === null) return null;
  const from = key.participant || key.remoteJid;
  const out: IncomingMessage = { id: key.id, from, timestamp: timestampOf(msg.messageTimestamp), type };
  if (text !== undefined) out.text = text;
  if (msg.pushName) out.pushName = msg.pushName;
  return out;
}

function unwrap(message: proto.IMessage | null | undefined): proto.IMessage | null | undefined {
  return message?.ephemeralMessage?.message ?? message?.viewOnceMessage?.message ?? message?.viewOnceMessageV2?.message ?? message;
}

function classify(m: proto.IMessage): { type: IncomingMessage['type'] | null; text?: string } {
  if (typeof m.conversation === 'string') return { type: 'text', text: m.conversation };
  if (m.extendedTextMessage) return { type: 'text', text: m.extendedTextMessage.text ?? '' };
  if (m.imageMessage) return withCaption('image', m.imageMessage.caption);
  if (m.videoMessage) return withCaption('video', m.videoMessage.caption);
  if (m.audioMessage) return { type: 'audio' };
  if (m.documentMessage) return withCaption('document', m.documentMessage.caption);
  if (m.stickerMessage) return { type: 'sticker' };
  if (m.locationMessage || m.liveLocationMessage) return { type: 'location' };
  if (m.contactMessage || m.contactsArrayMessage) return { type: 'contact' };
  if (m.reactionMessage) return { type: 'reaction', text: m.reactionMessage.text ?? '' };
  // Key distribution, history sync, app-state and other protocol traffic is not a user message.
  if (m.protocolMessage || m.senderKeyDistributionMessage && Object.keys(m).length === 1) return { type: null };
  return { type: 'other' };
}

function withCaption(type: IncomingMessage['type'], caption: string | null | undefined): { type: IncomingMessage['type']; text?: string } {
  return caption ? { type, text: caption } : { type };
}

function timestampOf(value: WAMessage['messageTimestamp']): string {
  const seconds = typeof value === 'number' ? value : value ? Number(value.toString()) : NaN;
  return new Date(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now()).toISOString();
}

/** `proto.WebMessageInfo.Status` → receipt status. */
export function receiptStatus(status: number | null | undefined): ReceiptStatus | null {
  switch (status) {
    case 0: return 'failed';
    case 1: return 'pending';
    case 2: return 'sent';
    case 3: return 'delivered';
    case 4:
    case 5: return 'read';
    default: return null;
  }
}
