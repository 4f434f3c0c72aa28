import type { FastifyInstance } from 'fastify';
import { ok } from '../envelope.js';
import { responses, SESSION_PARAMS } from '../schemas/common.js';
import { LEGACY_SEND_BODY, SEND_MESSAGE_BODY, SEND_RESULT, type LegacySendBody } from '../schemas/messages.js';
import { normalizeRecipient, toOutgoing } from '../schemas/recipient.js';
import type { ApiDeps } from './api-deps.js';
import { register, type Endpoint } from './endpoint.js';
import { mapped } from './errors.js';

/**
 * `POST /api/sessions/:id/messages`: sends through the session's host and answers with the
 * WhatsApp message id. 409 `SESSION_NOT_CONNECTED` unless the session is connected; the recipient
 * is checked here, before anything reaches the host.
 */
export function messageEndpoint(deps: ApiDeps, legacyBody = false): Endpoint {
  return {
    method: 'POST',
    url: '/api/sessions/:id/messages',
    schema: {
      tags: ['messages'],
      summary: 'Send a text, or an image/video/audio/document by URL with a caption',
      params: SESSION_PARAMS,
      body: legacyBody ? LEGACY_SEND_BODY : SEND_MESSAGE_BODY,
      response: responses(SEND_RESULT),
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as LegacySendBody;
      const to = normalizeRecipient(body.to);
      const sent = await mapped(() => deps.sessions.send(id, to, toOutgoing(body)));
      return ok({ messageId: sent.messageId, status: sent.status, timestamp: sent.timestamp, to: sent.to });
    },
  };
}

export function registerMessageRoute(app: FastifyInstance, endpoint: Endpoint): void {
  register(app, endpoint);
}
