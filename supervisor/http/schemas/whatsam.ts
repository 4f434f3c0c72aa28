/**
 * Request shapes of the whatsam backend's commands to its worker (its `proxy.service.js`), read
 * from its controllers: what it sends, not what we would like it to send. Unknown fields are
 * rejected like on every route; absent optional fields are what its `undefined`s become in JSON.
 */
import { LABEL, SESSION_ID } from './common.js';
import { CLIENT_MESSAGE_ID, LEGACY_TEXT_MESSAGE, MEDIA_MESSAGE, RECIPIENT, SEND_RESULT, TEXT_MESSAGE } from './messages.js';

/** `POST /api/sessions/start` (its `createSessionOnWorker`). */
export const START_SESSION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['sessionId'],
  properties: { sessionId: SESSION_ID, userId: LABEL, sessionName: LABEL },
} as const;

export interface StartSessionBody {
  sessionId: string;
  userId?: string | null;
  sessionName?: string | null;
}

const HTTP_URL = { type: 'string', maxLength: 2048, pattern: '^https?://[^\\s]+$' } as const;
/** WhatsApp message ids: hex or alphanumeric (`3EB0…`, `BAE5…`); the backend allows 100 characters. */
export const MESSAGE_ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' } as const;
const SHORT = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const CAPTION = { type: 'string', maxLength: 4096 } as const;

const shape = (type: string | readonly string[], props: Record<string, unknown>, required: readonly string[] = []) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['to', 'type', ...required],
    properties: { to: RECIPIENT, type: typeof type === 'string' ? { type: 'string', const: type } : { type: 'string', enum: type }, clientMessageId: CLIENT_MESSAGE_ID, ...props },
  }) as const;

export const WHATSAM_SEND_SHAPES = [
  shape('text', { message: { type: 'string', minLength: 1, maxLength: 65536 } }, ['message']),
  // Its sendImage/sendVideo send a caption, sendFile a filename and a caption, sendVoice neither.
  shape(['image', 'video'], { mediaUrl: HTTP_URL, caption: CAPTION }, ['mediaUrl']),
  shape('document', { mediaUrl: HTTP_URL, caption: CAPTION, filename: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^/\\\\\\x00-\\x1f]+$' } }, ['mediaUrl']),
  shape('audio', { mediaUrl: HTTP_URL }, ['mediaUrl']),
  shape('location', {
    location: {
      type: 'object',
      additionalProperties: false,
      required: ['latitude', 'longitude'],
      properties: { latitude: { type: 'number', minimum: -90, maximum: 90 }, longitude: { type: 'number', minimum: -180, maximum: 180 }, name: SHORT, address: SHORT },
    },
  }, ['location']),
  shape('contact', {
    contact: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'phone'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        phone: { type: 'string', minLength: 3, maxLength: 32, pattern: '^[0-9+\\-\\s()]+$' },
        email: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' },
        organization: { type: 'string', minLength: 1, maxLength: 255 },
      },
    },
  }, ['contact']),
  shape('seen', { messageId: MESSAGE_ID }, ['messageId']),
  shape(['typing_start', 'typing_stop'], {}),
  shape('link', {
    link: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: HTTP_URL,
        title: SHORT,
        description: { type: 'string', minLength: 1, maxLength: 4096 },
        thumbnail: { ...HTTP_URL, description: 'accepted and not fetched: the worker makes no request to a caller-chosen URL for a preview' },
      },
    },
  }, ['link']),
  shape('poll', {
    poll: {
      type: 'object',
      additionalProperties: false,
      required: ['question', 'options'],
      properties: {
        question: { type: 'string', minLength: 1, maxLength: 255 },
        // WhatsApp shows at most 12 options.
        options: { type: 'array', minItems: 2, maxItems: 12, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 100 } },
        multipleAnswers: { type: 'boolean' },
      },
    },
  }, ['poll']),
] as const;

/**
 * `POST /api/:sessionId/send`: the whatsam shapes, the canonical ones, and the original worker's
 * `{to, message}`.
 */
export const SEND_ANY_BODY = { oneOf: [...WHATSAM_SEND_SHAPES, TEXT_MESSAGE, MEDIA_MESSAGE, LEGACY_TEXT_MESSAGE] } as const;

export type WhatsamSendBody = (
  | { to: string; type: 'text'; message: string }
  | { to: string; type: 'image' | 'video'; mediaUrl: string; caption?: string }
  | { to: string; type: 'document'; mediaUrl: string; caption?: string; filename?: string }
  | { to: string; type: 'audio'; mediaUrl: string }
  | { to: string; type: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string } }
  | { to: string; type: 'contact'; contact: { name: string; phone: string; email?: string; organization?: string } }
  | { to: string; type: 'seen'; messageId: string }
  | { to: string; type: 'typing_start' | 'typing_stop' }
  | { to: string; type: 'link'; link: { url: string; title?: string; description?: string; thumbnail?: string } }
  | { to: string; type: 'poll'; poll: { question: string; options: string[]; multipleAnswers?: boolean } }
) & { clientMessageId?: string };

/** A send answers like the canonical one; seen and typing send no message, so no message id. */
export const SEND_ANY_RESULT = {
  ...SEND_RESULT,
  properties: { ...SEND_RESULT.properties, messageId: { type: ['string', 'null'], description: 'WhatsApp message id; null for seen and typing' } },
} as const;

const manage = (action: string, props: Record<string, unknown>, required: readonly string[] = []) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: ['action', 'messageId', 'phone', ...required],
    properties: { action: { type: 'string', const: action }, messageId: MESSAGE_ID, phone: RECIPIENT, ...props },
  }) as const;

/** `POST /api/message/:sessionId/manage` (its `manageMessage`; the controllers name the fields). */
export const MANAGE_BODY = {
  oneOf: [
    manage('delete', { forEveryone: { type: 'boolean' } }),
    manage('unsend', {}),
    // WhatsApp reactions are one emoji (a few code units with modifiers); the backend allows 10.
    manage('reaction', { emoji: { type: 'string', minLength: 1, maxLength: 16 } }, ['emoji']),
    manage('edit', { newText: { type: 'string', minLength: 1, maxLength: 65536 } }, ['newText']),
    manage('read', {
      jid: RECIPIENT,
      messageKey: {
        type: 'object',
        additionalProperties: false,
        required: ['remoteJid', 'fromMe', 'id'],
        properties: { remoteJid: RECIPIENT, fromMe: { type: 'boolean' }, id: MESSAGE_ID },
      },
    }),
    manage('star', {}),
    manage('unstar', {}),
  ],
} as const;

export type ManageBody =
  | { action: 'delete'; messageId: string; phone: string; forEveryone?: boolean }
  | { action: 'unsend' | 'star' | 'unstar'; messageId: string; phone: string }
  | { action: 'reaction'; messageId: string; phone: string; emoji: string }
  | { action: 'edit'; messageId: string; phone: string; newText: string }
  | { action: 'read'; messageId: string; phone: string; jid?: string; messageKey?: { remoteJid: string; fromMe: boolean; id: string } };

export const MANAGE_RESULT = {
  type: 'object',
  required: ['action', 'messageId', 'resultMessageId', 'status', 'timestamp', 'to'],
  properties: {
    action: { type: 'string' },
    messageId: { type: 'string', description: 'the message acted on' },
    resultMessageId: { type: ['string', 'null'], description: 'id of the message the action sent (unsend, delete for everyone, reaction, edit); null otherwise' },
    status: { type: 'string', const: 'sent' },
    timestamp: { type: 'string', format: 'date-time' },
    to: { type: 'string' },
  },
} as const;
