import { WorkerError } from '../src/errors.js';
import type { OutgoingMessage } from '../src/ipc/protocol.js';

/**
 * Pure: Baileys' `AnyMessageContent` for the message types beyond text and media (the whatsam
 * backend's location, contact, link and poll). No socket, no I/O: nothing here fetches a URL.
 */
export type RichMessage = Extract<OutgoingMessage, { type: 'location' | 'contact' | 'link' | 'poll' }>;


export function toRichContent(message: RichMessage): Record<string, unknown> {
  switch (message.type) {
    case 'location':
      if (!Number.isFinite(message.latitude) || Math.abs(message.latitude) > 90 || !Number.isFinite(message.longitude) || Math.abs(message.longitude) > 180) {
        throw new WorkerError('INVALID_MESSAGE', 'latitude must be within ±90 and longitude within ±180');
      }
      return {
        location: {
          degreesLatitude: message.latitude,
          degreesLongitude: message.longitude,
          ...(message.name ? { name: message.name } : {}),
          ...(message.address ? { address: message.address } : {}),
        },
      };
    case 'contact':
      return { contacts: { displayName: message.name, contacts: [{ displayName: message.name, vcard: vCard(message) }] } };
    case 'link': {
      const text = message.text ? `${message.text}\n${message.url}` : message.url;
      // `linkPreview: null` stops Baileys from fetching the page for a preview (no outbound request
      // to a URL an API caller chose); a given title/description becomes the preview as it is.
      const preview = message.title || message.description
        ? { 'canonical-url': message.url, 'matched-text': message.url, title: message.title ?? message.url, ...(message.description ? { description: message.description } : {}) }
        : null;
      return { text, linkPreview: preview };
    }
    case 'poll': {
      const values = message.options;
      if (values.length < 2 || new Set(values).size !== values.length) throw new WorkerError('INVALID_MESSAGE', 'a poll needs at least two distinct options');
      // WhatsApp: 1 = one answer; 0 = any number of answers.
      return { poll: { name: message.question, values, selectableCount: message.multipleAnswers ? 0 : 1 } };
    }
  }
}

/** vCard 3.0 of one contact; `waid` lets WhatsApp offer "message"/"add" for the number. */
export function vCard(contact: { name: string; phone: string; email?: string; organization?: string }): string {
  const digits = contact.phone.replace(/[^0-9]/g, '');
  const lines = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `FN:${escapeVCard(contact.name)}`,
    ...(contact.organization ? [`ORG:${escapeVCard(contact.organization)}`] : []),
    `TEL;type=CELL;type=VOICE;waid=${digits}:${escapeVCard(contact.phone)}`,
    ...(contact.email ? [`EMAIL:${escapeVCard(contact.email)}`] : []),
    'END:VCARD',
  ];
  return lines.join('\n');
}

/** RFC 6350 §3.4: backslash, comma, semicolon and newlines are escaped in values. */
function escapeVCard(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r?\n/g, '\\n');
}
