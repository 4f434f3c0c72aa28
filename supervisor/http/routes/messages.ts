import type { FastifyInstance, FastifyReply } from 'fastify';
import type { OutgoingMessage } from '../../../src/ipc/protocol.js';
import { checkMediaUrl } from '../../../src/media/url-check.js';
import { ok } from '../envelope.js';
import { HttpError } from '../http-error.js';
import { okEnvelope, responses, SESSION_PARAMS } from '../schemas/common.js';
import { SEND_HEADERS, SEND_MESSAGE_BODY, SEND_RESULT, type SendMessageBody } from '../schemas/messages.js';
import { normalizeRecipient, toOutgoing } from '../schemas/recipient.js';
import type { ApiDeps } from './api-deps.js';
import { register, type Endpoint } from './endpoint.js';
import { mapped } from './errors.js';

/**
 * `POST /api/sessions/:id/messages`: sends through the session's host. 200 `sent` once WhatsApp
 * has it; 202 `pending` when it is accepted but not confirmed in time (its outcome follows as a
 * message-status event) — never an error for a send that may still go out. With an
 * `Idempotency-Key` header or a `clientMessageId` field, a retry within 24 h answers the first
 * outcome and never sends again (supervisor/sends/). 409 `SESSION_NOT_CONNECTED` unless the
 * session is connected; the recipient is checked here, before anything reaches the host.
 */
export function messageEndpoint(deps: ApiDeps): Endpoint {
  return {
    method: 'POST',
    url: '/api/sessions/:id/messages',
    schema: {
      tags: ['messages'],
      summary: 'Send a text, or an image/video/audio/document by URL with a caption; idempotent with Idempotency-Key',
      description:
        'Media URLs are fetched by the worker itself (never by WhatsApp or Baileys): http(s) only, at most MEDIA_MAX_BYTES, within MEDIA_FETCH_TIMEOUT_MS, redirects checked again. ' +
        'URLs whose host is or resolves to a loopback, private, link-local, CGNAT or cloud metadata address are refused unless MEDIA_ALLOW_PRIVATE_URLS=true. ' +
        'Errors: 400 MEDIA_URL_INVALID, 400 MEDIA_URL_BLOCKED, 413 MEDIA_TOO_LARGE, 422 MEDIA_FETCH_FAILED, 422 MEDIA_FETCH_TIMEOUT; nothing is sent in each case. ' +
        'Sends are limited per session (token bucket: SEND_RATE_LIMIT_PER_MINUTE sustained, SEND_RATE_LIMIT_BURST at once): over the limit 429 RATE_LIMITED with a Retry-After header (seconds); a replay of an Idempotency-Key costs nothing.',
      params: SESSION_PARAMS,
      headers: SEND_HEADERS,
      body: SEND_MESSAGE_BODY,
      response: { ...responses(SEND_RESULT), 202: okEnvelope(SEND_RESULT) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as SendMessageBody;
      const key = idempotencyKeyOf(request.headers['idempotency-key'], body.clientMessageId);
      return sendAndAnswer(deps, reply, id, normalizeRecipient(body.to), toOutgoing(body), key);
    },
  };
}

/**
 * The send every send route shares (this one and routes/whatsam.ts): media URL check, idempotent
 * send, 200 `sent` or 202 `pending`.
 */
export async function sendAndAnswer(deps: ApiDeps, reply: FastifyReply, id: string, to: string, message: OutgoingMessage, key: string | undefined) {
  // Literal private addresses are refused here, before a host is asked; names are judged by
  // the host's fetcher when it resolves them.
  if (message.type === 'image' || message.type === 'video' || message.type === 'audio' || message.type === 'document') {
    const url = message.url;
    await mapped(() => checkMediaUrl(url, deps.mediaAllowPrivateUrls === true));
  }
  const sent = await mapped(() => deps.sessions.send(id, to, message, key));
  if (sent.replayed) void reply.header('idempotent-replayed', 'true'); // a FastifyReply is thenable: nothing to wait for
  void reply.code(sent.status === 'pending' ? 202 : 200); // a FastifyReply is thenable: nothing to wait for
  return ok({ messageId: sent.messageId, status: sent.status, timestamp: sent.timestamp, to: sent.to, ...(key === undefined ? {} : { clientMessageId: key }) });
}

/** Pure: the send's idempotency key from the header and/or the body field (they must agree). */
export function idempotencyKeyOf(header: string | string[] | undefined, field: string | undefined): string | undefined {
  if (Array.isArray(header)) throw new HttpError(400, 'INVALID_IDEMPOTENCY_KEY', 'give one Idempotency-Key header, not several');
  if (header !== undefined && field !== undefined && header !== field) {
    throw new HttpError(400, 'INVALID_IDEMPOTENCY_KEY', 'the Idempotency-Key header and clientMessageId differ; give either, or both with the same value');
  }
  return header ?? field;
}

export function registerMessageRoute(app: FastifyInstance, endpoint: Endpoint): void {
  register(app, endpoint);
}
