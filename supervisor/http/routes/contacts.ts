import type { FastifyInstance } from 'fastify';
import { ok } from '../envelope.js';
import { HttpError } from '../http-error.js';
import { responses, SESSION_ID } from '../schemas/common.js';
import { normalizeRecipient } from '../schemas/recipient.js';
import type { ApiDeps } from './api-deps.js';
import { register, type Endpoint } from './endpoint.js';
import { mapped } from './errors.js';

const CONTACT_CHECK = {
  type: 'object',
  required: ['phone', 'exists', 'jid'],
  properties: {
    phone: { type: 'string', description: 'the number asked, digits only' },
    exists: { type: 'boolean', description: 'the number has a WhatsApp account' },
    jid: { type: ['string', 'null'], description: "WhatsApp's JID for the number (may differ from the digits asked); null when it has no account" },
  },
} as const;

/**
 * `GET /api/sessions/:id/contacts/:phone` (issue 19 §3): whether a number is on WhatsApp, asked
 * through the session (Baileys `onWhatsApp`, cached by the session's host for
 * CONTACT_CHECK_CACHE_TTL_MS). The same check runs before every send to a phone number.
 */
export function contactCheckEndpoint(deps: ApiDeps): Endpoint {
  return {
    method: 'GET',
    url: '/api/sessions/:id/contacts/:phone',
    schema: {
      tags: ['messages'],
      summary: 'Check whether a phone number is on WhatsApp, and its JID',
      description:
        'The phone number in international format (digits, an optional leading +). Answered by the session (it must be connected: 409 SESSION_NOT_CONNECTED otherwise) and remembered for CONTACT_CHECK_CACHE_TTL_MS. ' +
        'Sends to a phone number run the same check first: one that is not on WhatsApp answers 422 RECIPIENT_NOT_ON_WHATSAPP and nothing is sent. 502 CONTACT_CHECK_FAILED when WhatsApp does not answer.',
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'phone'],
        properties: { id: SESSION_ID, phone: { type: 'string', minLength: 1, maxLength: 32 } },
      },
      response: responses(CONTACT_CHECK),
    },
    handler: async (request) => {
      const { id, phone } = request.params as { id: string; phone: string };
      if (phone.includes('@')) throw new HttpError(400, 'INVALID_RECIPIENT', 'give a phone number, not a JID');
      const digits = normalizeRecipient(phone).slice(0, -'@s.whatsapp.net'.length);
      return ok(await mapped(() => deps.sessions.checkContact(id, digits)));
    },
  };
}

export function registerContactRoute(app: FastifyInstance, endpoint: Endpoint): void {
  register(app, endpoint);
}
