import type { FastifyInstance } from 'fastify';
import { PAIRING_PHONE_RULE, pairingPhoneDigits } from '../../../src/phone-number.js';
import { ok } from '../envelope.js';
import { HttpError } from '../http-error.js';
import { responses, SESSION_PARAMS } from '../schemas/common.js';
import type { ApiDeps } from './api-deps.js';
import { register, type Endpoint } from './endpoint.js';
import { mapped } from './errors.js';

/** How long the request waits for a fresh session's host to reach its pair-device round. */
export const PAIRING_WAIT_MS = 20_000;

const BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['phoneNumber'],
  properties: { phoneNumber: { type: 'string', minLength: 1, maxLength: 32, description: 'the phone that will link the session, international format (+1 555 000 1111)' } },
} as const;

const PAIRING_CODE = {
  type: 'object',
  required: ['sessionId', 'pairingCode', 'phoneNumber', 'expiresAt'],
  properties: {
    sessionId: { type: 'string' },
    pairingCode: { type: 'string', description: '8 characters to type on the phone: WhatsApp → Linked devices → Link with phone number' },
    phoneNumber: { type: 'string', description: 'digits of the phone that must enter the code' },
    expiresAt: { type: 'string', format: 'date-time', description: 'afterwards the code no longer links; the session shows QR codes again and a new code may be asked' },
  },
} as const;

/**
 * `POST /api/sessions/:id/pairing-code {phoneNumber}` (issue 19 §1): link a session by typing a
 * code on the phone instead of scanning a QR — for a user whose only device is that phone.
 */
export function pairingCodeEndpoint(deps: ApiDeps): Endpoint {
  return {
    method: 'POST',
    url: '/api/sessions/:id/pairing-code',
    schema: {
      tags: ['sessions'],
      summary: 'Ask for a pairing code: link the session from the phone itself, without a QR',
      description:
        'For a session that is not linked yet: waits up to 20 s for its host to reach the pairing round, then asks WhatsApp (Baileys `requestPairingCode`). The status becomes `pairing_code_required` and the code reaches the backend as a `pairing_code` event. ' +
        'A code counts as one of QR_MAX_ATTEMPTS and lives as long as a QR does; asking again replaces it. ' +
        '400 INVALID_PHONE_NUMBER · 404 SESSION_NOT_FOUND · 409 ALREADY_LINKED (connected or restored) · 409 SESSION_ENDED (restart it first) · 409 PAIRING_NOT_READY (no pairing round in time) · 429 PAIRING_ATTEMPTS_EXHAUSTED.',
      params: SESSION_PARAMS,
      body: BODY,
      response: responses(PAIRING_CODE),
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { phoneNumber } = request.body as { phoneNumber: string };
      const digits = pairingPhoneDigits(phoneNumber);
      if (digits === null) throw new HttpError(400, 'INVALID_PHONE_NUMBER', `phoneNumber ${JSON.stringify(phoneNumber)}: expected ${PAIRING_PHONE_RULE}`, { phoneNumber });
      const offer = await mapped(() => deps.sessions.requestPairingCode(id, digits, PAIRING_WAIT_MS));
      void reply.header('cache-control', 'no-store'); // a FastifyReply is thenable: nothing to wait for
      return ok({ sessionId: id, ...offer });
    },
  };
}

export function registerPairingCodeRoute(app: FastifyInstance, endpoint: Endpoint): void {
  register(app, endpoint);
}
