/**
 * `POST /api/sessions/:id/messages`: a text, or a medium by URL (WhatsApp downloads nothing from
 * us: the session host streams the URL). Each shape rejects unknown fields.
 */

import { IDEMPOTENCY_KEY_PATTERN } from '../../sends/idempotency.js';

/** A phone number (digits; `+`, spaces, dashes and parentheses tolerated) or a WhatsApp JID. */
export const RECIPIENT = {
  type: 'string',
  minLength: 5,
  maxLength: 128,
  pattern: '^(\\+?[0-9 ()-]{5,32}|[0-9A-Za-z.:_-]{1,64}@(s\\.whatsapp\\.net|c\\.us|g\\.us|lid|broadcast|newsletter))$',
} as const;

/**
 * `clientMessageId` (body) and the `Idempotency-Key` header name one send for 24 hours: a retry
 * with the same value answers the first outcome and never sends again (supervisor/sends/).
 */
export const CLIENT_MESSAGE_ID = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: IDEMPOTENCY_KEY_PATTERN,
  description:
    'idempotency key of this send (same as the Idempotency-Key header; give either, or both with the same value): a retry with the same value within 24 h returns the first outcome and never sends the message again',
} as const;

export const SEND_HEADERS = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: IDEMPOTENCY_KEY_PATTERN,
      description:
        'Idempotency-Key: any unique value per send (e.g. a UUID), printable ASCII. The same key for the same session within 24 h returns the first outcome (header Idempotent-Replayed: true) and never sends again, across host and worker restarts; with a different body: 422 IDEMPOTENCY_KEY_REUSED',
    },
  },
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
    clientMessageId: CLIENT_MESSAGE_ID,
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
    clientMessageId: CLIENT_MESSAGE_ID,
  },
} as const;

export const SEND_MESSAGE_BODY = { oneOf: [TEXT_MESSAGE, MEDIA_MESSAGE] } as const;

/**
 * The original worker's `POST /api/:sessionId/send` also took `{to, message}` for a text; that
 * route (routes/whatsam.ts) takes it with the canonical and the whatsam shapes.
 */
export const LEGACY_TEXT_MESSAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'message'],
  properties: { to: RECIPIENT, message: { type: 'string', minLength: 1, maxLength: 65536 }, clientMessageId: CLIENT_MESSAGE_ID },
} as const;

export type SendMessageBody = (
  | { to: string; type: 'text'; text: string }
  | { to: string; type: 'image' | 'video' | 'audio' | 'document'; url: string; caption?: string; fileName?: string; mimetype?: string; ptt?: boolean }
) & { clientMessageId?: string };

export type LegacySendBody = SendMessageBody | { to: string; message: string; clientMessageId?: string };

export const SEND_RESULT = {
  type: 'object',
  required: ['messageId', 'status', 'timestamp', 'to'],
  properties: {
    messageId: { type: 'string', description: 'WhatsApp message id; with an idempotency key, the same for every retry' },
    status: {
      type: 'string',
      enum: ['pending', 'sent'],
      description:
        'sent (HTTP 200): handed to WhatsApp. pending (HTTP 202): accepted but not confirmed within SEND_CONFIRM_TIMEOUT_MS, or its outcome is not known yet — it may still go out; the outcome follows as a message-status event (sent or failed). Retry with the same idempotency key to ask again: it never sends twice',
    },
    timestamp: { type: 'string', format: 'date-time' },
    to: { type: 'string', description: 'recipient JID as WhatsApp addressed it' },
    clientMessageId: { type: 'string', description: 'the idempotency key of this send, when one was given' },
  },
} as const;
