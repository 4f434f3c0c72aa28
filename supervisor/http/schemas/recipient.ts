import type { OutgoingMessage } from '../../../src/ipc/protocol.js';
import { HttpError } from '../http-error.js';
import type { LegacySendBody } from './messages.js';

const JID = /^[0-9A-Za-z.:_-]{1,64}@(s\.whatsapp\.net|c\.us|g\.us|lid|broadcast|newsletter)$/;

/**
 * Pure: the `to` of a send as the session host expects it — a JID, with a phone number turned
 * into `<digits>@s.whatsapp.net` and the old `@c.us` suffix into `@s.whatsapp.net`. Throws a 400
 * `INVALID_RECIPIENT` for anything else, before the request reaches a host.
 */
export function normalizeRecipient(to: string): string {
  const trimmed = to.trim();
  if (trimmed.includes('@')) {
    if (!JID.test(trimmed)) throw invalid(trimmed, 'not a WhatsApp JID');
    return trimmed.endsWith('@c.us') ? `${trimmed.slice(0, -'@c.us'.length)}@s.whatsapp.net` : trimmed;
  }
  const digits = trimmed.replace(/[\s()+-]/g, '');
  // E.164 has at most 15 digits; WhatsApp ids of old accounts are never shorter than 5.
  if (!/^\d{5,15}$/.test(digits) || /^0/.test(digits)) throw invalid(trimmed, 'not a phone number in international format');
  return `${digits}@s.whatsapp.net`;
}

/** Pure: a validated request body (canonical or the original worker's `{to, message}`) as IPC sends it. */
export function toOutgoing(body: LegacySendBody): OutgoingMessage {
  if (!('type' in body)) return { type: 'text', text: body.message };
  switch (body.type) {
    case 'text':
      return { type: 'text', text: body.text };
    case 'audio':
      return { type: 'audio', url: body.url, ...(body.mimetype ? { mimetype: body.mimetype } : {}), ...(body.ptt ? { ptt: true } : {}) };
    case 'document':
      return {
        type: 'document',
        url: body.url,
        ...(body.caption ? { caption: body.caption } : {}),
        ...(body.fileName ? { fileName: body.fileName } : {}),
        ...(body.mimetype ? { mimetype: body.mimetype } : {}),
      };
    case 'image':
    case 'video':
      return { type: body.type, url: body.url, ...(body.caption ? { caption: body.caption } : {}), ...(body.mimetype ? { mimetype: body.mimetype } : {}) };
  }
}

function invalid(to: string, why: string): HttpError {
  return new HttpError(400, 'INVALID_RECIPIENT', `${why}: ${JSON.stringify(to).slice(0, 80)}`);
}
