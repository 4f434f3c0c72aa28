/**
 * `POST /api/sessions/:id/messages`: a text, or a medium by URL (WhatsApp downloads nothing from
 * us: the session host streams the URL). Each shape rejects unknown fields.
 */

/** A phone number (digits; `+`, spaces, dashes and parentheses tolerated) or a WhatsApp JID. */
export const RECIPIENT = {
  type: 'string',
  minLength: 5,
  maxLength: 128,
  pattern: '^(\\+?[0-9 ()-]{5,32}|[0-9A-Za-z.:_-]{1,64}@(s\\.whatsapp\\.net|c\\.us|g\\.us|lid|broadcast|newsletter))$',
} as const;

const MEDIA_URL = { type: 'string', maxLength: 2048, pattern: '^https?://[^\\s]+$' } as const;
const CAPTION = { type: 'string', maxLength: 4096 } as const;
const MIMETYPE = { type: 'string', maxLength: 127, pattern: '^[A-Za-z0-9.+-]+/[A-Za-z0-9.+=; -]+$' } as const;

export const TEXT_MESSAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'type', 'text'],
  properties: {
    to: RECIPIENT,
    type: { type: 'string', const: 'text' },
    text: { type: 'string', minLength: 1, maxLength: 65536 },
  },
} as const;

export const MEDIA_MESSAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'type', 'url'],
  properties: {
    to: RECIPIENT,
    type: { type: 'string', enum: ['image', 'video', 'audio', 'document'] },
    url: MEDIA_URL,
    caption: CAPTION,
    fileName: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\x00-\\x1f]+$' },
    mimetype: MIMETYPE,
    ptt: { type: 'boolean', description: 'audio only: send as a voice note' },
  },
} as const;

export const SEND_MESSAGE_BODY = { oneOf: [TEXT_MESSAGE, MEDIA_MESSAGE] } as const;

/**
 * The original worker's `POST /api/:sessionId/send` also took `{to, message}` for a text; the
 * canonical shapes are accepted there too.
 */
export const LEGACY_TEXT_MESSAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'message'],
  properties: { to: RECIPIENT, message: { type: 'string', minLength: 1, maxLength: 65536 } },
} as const;

export const LEGACY_SEND_BODY = { oneOf: [TEXT_MESSAGE, MEDIA_MESSAGE, LEGACY_TEXT_MESSAGE] } as const;

export type SendMessageBody =
  | { to: string; type: 'text'; text: string }
  | { to: string; type: 'image' | 'video' | 'audio' | 'document'; url: string; caption?: string; fileName?: string; mimetype?: string; ptt?: boolean };

export type LegacySendBody = SendMessageBody | { to: string; message: string };

export const SEND_RESULT = {
  type: 'object',
  required: ['messageId', 'status', 'timestamp', 'to'],
  properties: {
    messageId: { type: 'string', description: 'WhatsApp message id' },
    status: { type: 'string', enum: ['pending', 'sent'] },
    timestamp: { type: 'string', format: 'date-time' },
    to: { type: 'string', description: 'recipient JID as WhatsApp addressed it' },
  },
} as const;
