/**
 * Media on the contacts' side of the simulator. A linked client's image/video/audio/document is
 * read back from the media host by its direct path, its MAC, encrypted hash and plain hash checked,
 * and decrypted (event `media`); a contact's medium is encrypted the WhatsApp way (HKDF media keys,
 * AES-256-CBC, a 10-byte HMAC-SHA256 tag), stored on the media host and described in a message.
 * Written from the format, not from the worker's code, so it checks the worker independently.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getMediaKeys, type proto } from '@whiskeysockets/baileys';
import type { SimMediaServer } from './media-server.js';

export type SimMediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** What a simulated contact received and decrypted (event `media`). */
export interface SimMedia {
  from: string;
  to: string;
  id: string;
  type: SimMediaType;
  mimetype: string | undefined;
  caption: string | undefined;
  fileName: string | undefined;
  /** An audio message's duration as the sender computed it. */
  seconds: number | undefined;
  data: Buffer;
}

export interface OutgoingSimMedia {
  type: SimMediaType;
  data: Buffer;
  mimetype: string;
  caption?: string;
  fileName?: string;
}

const FIELDS = { image: 'imageMessage', video: 'videoMessage', audio: 'audioMessage', document: 'documentMessage', sticker: 'stickerMessage' } as const;

type MediaFields = proto.Message.IImageMessage & { fileName?: string | null; seconds?: number | null };

/** Decrypts a client's medium from the media host; throws when it is missing or fails a check. */
export async function readClientMedia(server: SimMediaServer, m: { from: string; to: string; id: string; message: proto.IMessage }): Promise<SimMedia | undefined> {
  for (const type of Object.keys(FIELDS) as SimMediaType[]) {
    const media = m.message[FIELDS[type]] as MediaFields | null | undefined;
    if (!media) continue;
    if (!media.directPath || !media.mediaKey) throw new Error(`${type} message ${m.id} has no directPath or mediaKey`);
    const blob = server.get(media.directPath);
    if (!blob) throw new Error(`${type} message ${m.id}: nothing was uploaded at ${media.directPath}`);
    const data = await decrypt(blob, Buffer.from(media.mediaKey), type);
    if (media.fileEncSha256 && !sha256(blob).equals(Buffer.from(media.fileEncSha256))) throw new Error(`${type} ${m.id}: fileEncSha256 does not match the upload`);
    if (!media.fileSha256 || !sha256(data).equals(Buffer.from(media.fileSha256))) throw new Error(`${type} ${m.id}: fileSha256 does not match the decrypted bytes`);
    if (Number(media.fileLength ?? -1) !== data.length) throw new Error(`${type} ${m.id}: fileLength ${String(media.fileLength)} but ${data.length} bytes`);
    return { from: m.from, to: m.to, id: m.id, type, mimetype: media.mimetype ?? undefined, caption: media.caption ?? undefined, fileName: media.fileName ?? undefined, seconds: media.seconds ?? undefined, data };
  }
  return undefined;
}

/** A contact's medium, encrypted and stored on the media host, as the message that names it. */
export async function contactMediaMessage(server: SimMediaServer, media: OutgoingSimMedia): Promise<proto.IMessage> {
  const mediaKey = randomBytes(32);
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, media.type);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const enc = Buffer.concat([cipher.update(media.data), cipher.final()]);
  const mac = createHmac('sha256', macKey!).update(iv).update(enc).digest().subarray(0, 10);
  const blob = Buffer.concat([enc, mac]);
  const stored = server.put(blob);
  const fields: MediaFields = {
    url: stored.url,
    directPath: stored.directPath,
    mediaKey,
    mimetype: media.mimetype,
    fileSha256: sha256(media.data),
    fileEncSha256: sha256(blob),
    fileLength: media.data.length,
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
    ...(media.caption ? { caption: media.caption } : {}),
    ...(media.fileName ? { fileName: media.fileName } : {}),
  };
  return { [FIELDS[media.type]]: fields } as proto.IMessage;
}

async function decrypt(blob: Buffer, mediaKey: Buffer, type: SimMediaType): Promise<Buffer> {
  const { iv, cipherKey, macKey } = await getMediaKeys(mediaKey, type);
  const enc = blob.subarray(0, blob.length - 10);
  const mac = createHmac('sha256', macKey!).update(iv).update(enc).digest().subarray(0, 10);
  if (!timingSafeEqual(mac, blob.subarray(blob.length - 10))) throw new Error('media MAC does not match');
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  return Buffer.concat([decipher.update(enc), decipher.final()]);
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
