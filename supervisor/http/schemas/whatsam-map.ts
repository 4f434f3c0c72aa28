import type { ChatAction, OutgoingMessage } from '../../../src/ipc/protocol.js';
import type { LegacySendBody } from './messages.js';
import { toOutgoing } from './recipient.js';
import type { ManageBody, WhatsamSendBody } from './whatsam.js';

/**
 * Pure: a validated `POST /api/:sessionId/send` or `/api/message/:sessionId/manage` body as what
 * the session host does — a message to send, or an action on a chat.
 */
export type SendPlan = { kind: 'send'; message: OutgoingMessage } | { kind: 'act'; act: ChatAction };

export function planSend(body: WhatsamSendBody | LegacySendBody): SendPlan {
  if (!('type' in body)) return { kind: 'send', message: toOutgoing(body) };
  switch (body.type) {
    case 'text':
      return { kind: 'send', message: 'message' in body ? { type: 'text', text: body.message } : toOutgoing(body) };
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
      return { kind: 'send', message: 'mediaUrl' in body ? mediaOf(body) : toOutgoing(body as LegacySendBody) };
    case 'location':
      return { kind: 'send', message: { type: 'location', ...body.location } };
    case 'contact':
      return { kind: 'send', message: { type: 'contact', ...body.contact } };
    case 'link': {
      const { url, title, description } = body.link;
      return { kind: 'send', message: { type: 'link', url, ...(title ? { title } : {}), ...(description ? { description } : {}) } };
    }
    case 'poll':
      return { kind: 'send', message: { type: 'poll', question: body.poll.question, options: body.poll.options, multipleAnswers: body.poll.multipleAnswers ?? false } };
    case 'seen':
      return { kind: 'act', act: { action: 'read', messageId: body.messageId, fromMe: false } };
    case 'typing_start':
      return { kind: 'act', act: { action: 'typing', state: 'composing' } };
    case 'typing_stop':
      return { kind: 'act', act: { action: 'typing', state: 'paused' } };
  }
}

/** The backend's media bodies go the canonical media path (and its limits). */
function mediaOf(body: Extract<WhatsamSendBody, { mediaUrl: string }>): OutgoingMessage {
  const caption = 'caption' in body && body.caption ? { caption: body.caption } : {};
  switch (body.type) {
    case 'audio':
      return { type: 'audio', url: body.mediaUrl };
    case 'document':
      return { type: 'document', url: body.mediaUrl, ...caption, ...(body.filename ? { fileName: body.filename } : {}) };
    default:
      return { type: body.type, url: body.mediaUrl, ...caption };
  }
}

/** The chat of a manage body (`phone`; for `read`, its `messageKey.remoteJid` when given). */
export function manageChat(body: ManageBody): string {
  return body.action === 'read' && body.messageKey ? body.messageKey.remoteJid : body.phone;
}

export function planManage(body: ManageBody): ChatAction {
  switch (body.action) {
    case 'delete':
      return body.forEveryone ? { action: 'revoke', messageId: body.messageId } : { action: 'delete_for_me', messageId: body.messageId };
    case 'unsend':
      return { action: 'revoke', messageId: body.messageId };
    case 'reaction':
      return { action: 'react', messageId: body.messageId, emoji: body.emoji };
    case 'edit':
      return { action: 'edit', messageId: body.messageId, text: body.newText };
    case 'read':
      return { action: 'read', messageId: body.messageId, fromMe: body.messageKey?.fromMe ?? false };
    case 'star':
    case 'unstar':
      return { action: 'star', messageId: body.messageId, star: body.action === 'star' };
  }
}
