import type { Agent } from 'node:http';
import { getMediaKeys, type proto, type WAMessage, type WASocket } from '@whiskeysockets/baileys';
import { errorCode, errorMessage } from '../../src/errors.js';
import type { HostMediaSettings, IncomingMessage, StorageSettings } from '../../src/ipc/protocol.js';
import type { Logger } from '../../src/logger.js';
import { fetchMedia } from '../../src/media/fetch-media.js';
import { mediaError } from '../../src/media/media-errors.js';
import { MediaStore } from '../../src/media/media-store.js';
import { decryptMedia } from './wa-media-crypto.js';

/**
 * Loaded the first time a host receives a medium. Downloads it from WhatsApp's media host, checks
 * and decrypts it, stores it (media-store.ts) and puts its reference on the message. A failure
 * never drops the message: it goes on with `mediaError` instead of `media`.
 */
export interface IncomingMediaContext {
  sessionId: string;
  settings: HostMediaSettings;
  storage: StorageSettings;
  storageTimeoutMs: number;
  logger: Logger;
  socket(): WASocket | undefined;
  /** The session's proxy (issue 19 §2): downloads from WhatsApp's media host go through it. */
  agent?: Agent;
}

type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';
type MediaFields = proto.Message.IImageMessage;

const FIELDS: Record<MediaKind, keyof proto.IMessage> = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
};
const DEFAULT_MIMETYPE: Record<MediaKind, string> = { image: 'image/jpeg', video: 'video/mp4', audio: 'audio/ogg', document: 'application/octet-stream', sticker: 'image/webp' };

export class IncomingMedia {
  private store: MediaStore | undefined;

  constructor(private readonly ctx: IncomingMediaContext) {}

  /** The messages with `media` (or `mediaError`) set on those that carry a medium. */
  async enrich(messages: IncomingMessage[], raw: readonly WAMessage[], sock?: WASocket): Promise<IncomingMessage[]> {
    const out: IncomingMessage[] = [];
    for (const message of messages) {
      if (!(message.type in FIELDS)) {
        out.push(message);
        continue;
      }
      const source = raw.find((r) => r.key?.id === message.id);
      try {
        out.push({ ...message, media: await this.download(message, message.type as MediaKind, source, sock) });
      } catch (err) {
        this.ctx.logger.warn({ messageId: message.id, code: errorCode(err), err: errorMessage(err) }, 'could not store an incoming medium; the message goes on without it');
        out.push({ ...message, mediaError: errorCode(err) });
      }
    }
    return out;
  }

  close(): Promise<void> {
    return this.store?.close() ?? Promise.resolve();
  }

  private async download(message: IncomingMessage, kind: MediaKind, source: WAMessage | undefined, given: WASocket | undefined) {
    const fields = mediaFields(source?.message, kind);
    if (!fields?.mediaKey || !fields.directPath) throw mediaError('MEDIA_INVALID', 'the message names no media key or direct path');
    const { maxBytes, fetchTimeoutMs, publicBaseUrl } = this.ctx.settings;
    const declared = Number(fields.fileLength ?? 0);
    if (declared > maxBytes) throw mediaError('MEDIA_TOO_LARGE', `the medium has ${declared} bytes; MEDIA_MAX_BYTES is ${maxBytes}`);
    // The inbox passes the socket the message came on: at a login, held messages arrive before `open`.
    const sock = given ?? this.ctx.socket();
    if (!sock) throw mediaError('MEDIA_FETCH_FAILED', 'the session is not connected');
    // The host comes from WhatsApp's own `media_conn` answer (over the verified Noise channel),
    // never from the message: a sender could put any URL there. Hence no private-address check,
    // but the same size and time limits. Ciphertext = plaintext padded to 16 bytes + a 10-byte MAC.
    const conn = await sock.refreshMediaConn(false);
    const host = conn.hosts[0]?.hostname;
    if (!host) throw mediaError('MEDIA_FETCH_FAILED', 'WhatsApp named no media host');
    const fetched = await fetchMedia(`https://${host}${fields.directPath}`, { maxBytes: maxBytes + 26, timeoutMs: fetchTimeoutMs, allowPrivate: true, maxRedirects: 2, ...(this.ctx.agent ? { agent: this.ctx.agent } : {}) });
    const keys = await getMediaKeys(fields.mediaKey, kind);
    const data = decryptMedia(fetched.data, keys as { iv: Buffer; cipherKey: Buffer; macKey: Buffer }, fields);
    if (data.length > maxBytes) throw mediaError('MEDIA_TOO_LARGE', `the medium has ${data.length} bytes; MEDIA_MAX_BYTES is ${maxBytes}`);
    this.store ??= MediaStore.create(this.ctx.storage, { timeoutMs: this.ctx.storageTimeoutMs });
    const mimetype = fields.mimetype?.trim() || DEFAULT_MIMETYPE[kind];
    const info = await this.store.put(this.ctx.sessionId, message.id, data, mimetype);
    const path = `/api/sessions/${encodeURIComponent(this.ctx.sessionId)}/media/${encodeURIComponent(message.id)}`;
    return { mimetype, size: info.size, sha256: info.sha256, url: publicBaseUrl ? `${publicBaseUrl.replace(/\/+$/, '')}${path}` : path };
  }
}

function mediaFields(message: proto.IMessage | null | undefined, kind: MediaKind): MediaFields | undefined {
  const m = message?.ephemeralMessage?.message ?? message?.viewOnceMessage?.message ?? message?.viewOnceMessageV2?.message ?? message;
  return (m?.[FIELDS[kind]] ?? undefined) as MediaFields | undefined;
}
