import type { FastifyInstance } from 'fastify';
import type { SessionView } from '../../../src/session-view.js';
import { toWhatsamStatus } from '../../backend/whatsam-status.js';
import { ok } from '../envelope.js';
import { HttpError } from '../http-error.js';
import { ERROR_ENVELOPE, okEnvelope, responses, SESSION_ID_PARAMS, SESSION_PARAMS } from '../schemas/common.js';
import { SEND_HEADERS, type LegacySendBody } from '../schemas/messages.js';
import { normalizeRecipient } from '../schemas/recipient.js';
import { SESSION_VIEW } from '../schemas/sessions.js';
import { MANAGE_BODY, MANAGE_RESULT, SEND_ANY_BODY, SEND_ANY_RESULT, START_SESSION_BODY, type ManageBody, type StartSessionBody, type WhatsamSendBody } from '../schemas/whatsam.js';
import { manageChat, planManage, planSend } from '../schemas/whatsam-map.js';
import type { ApiDeps } from './api-deps.js';
import { register, type Endpoint } from './endpoint.js';
import { mapped } from './errors.js';
import { idempotencyKeyOf, sendAndAnswer } from './messages.js';

/**
 * The whatsam backend's commands to its worker (its `proxy.service.js`): start, status, send (every
 * type it knows) and manage. Each answers the usual envelope; start and status also carry the
 * fields the backend reads from the top level of the answer (`status` in its enum, `qrCode`,
 * `phoneNumber`), because it stores `response.status.toUpperCase()` as the session's status.
 */
const TOP_LEVEL = {
  status: { type: 'string', enum: ['INIT', 'QR_REQUIRED', 'CONNECTED', 'DISCONNECTED', 'RECONNECTING', 'ERROR'] },
  qrCode: { type: ['string', 'null'], description: 'raw QR string while QR_REQUIRED' },
  phoneNumber: { type: ['string', 'null'] },
} as const;

function viewWithTopLevel() {
  const base = okEnvelope(SESSION_VIEW);
  return { ...base, required: [...base.required, 'status', 'qrCode', 'phoneNumber'], properties: { ...base.properties, ...TOP_LEVEL } };
}

function withTopLevel(view: SessionView) {
  return { ...ok(view), status: toWhatsamStatus(view.status), qrCode: view.qr, phoneNumber: view.phoneNumber };
}

export function whatsamEndpoints(deps: ApiDeps): Endpoint[] {
  const { sessions } = deps;
  const view = (id: string): SessionView => {
    const v = sessions.get(id);
    if (!v) throw new HttpError(404, 'SESSION_NOT_FOUND', `session ${id} is not hosted on this worker`, { sessionId: id });
    return v;
  };
  const answer = { '4xx': ERROR_ENVELOPE, '5xx': ERROR_ENVELOPE } as const;
  return [
    {
      method: 'POST',
      url: '/api/sessions/start',
      schema: {
        tags: ['whatsam'],
        summary: 'whatsam: create and start a session (idempotent); status and qrCode also at the top level',
        body: START_SESSION_BODY,
        response: { 200: viewWithTopLevel(), 201: viewWithTopLevel(), ...answer },
      },
      handler: async (request, reply) => {
        const body = request.body as StartSessionBody;
        const existed = sessions.get(body.sessionId) !== undefined;
        const created = await mapped(() =>
          sessions.create({ sessionId: body.sessionId, ...(body.userId == null ? {} : { userId: body.userId }), ...(body.sessionName == null ? {} : { name: body.sessionName }) }),
        );
        void reply.code(existed ? 200 : 201); // a FastifyReply is thenable: nothing to wait for
        return withTopLevel(created);
      },
    },
    {
      method: 'GET',
      url: '/api/sessions/:id/status',
      schema: { tags: ['whatsam'], summary: 'whatsam: status of one session; status, qrCode and phoneNumber also at the top level', params: SESSION_PARAMS, response: { 200: viewWithTopLevel(), ...answer } },
      handler: async (request) => withTopLevel(view((request.params as { id: string }).id)),
    },
    {
      method: 'POST',
      url: '/api/:sessionId/send',
      schema: {
        tags: ['whatsam'],
        summary: 'Send any type the whatsam backend knows (text, media by URL, location, contact, link, poll) or seen/typing; also the canonical and original shapes',
        params: SESSION_ID_PARAMS,
        headers: SEND_HEADERS,
        body: SEND_ANY_BODY,
        response: { ...responses(SEND_ANY_RESULT), 202: okEnvelope(SEND_ANY_RESULT) },
      },
      handler: async (request, reply) => {
        const { sessionId } = request.params as { sessionId: string };
        const body = request.body as WhatsamSendBody | LegacySendBody;
        const to = normalizeRecipient(body.to);
        const plan = planSend(body);
        if (plan.kind === 'send') return sendAndAnswer(deps, reply, sessionId, to, plan.message, idempotencyKeyOf(request.headers['idempotency-key'], body.clientMessageId));
        const done = await mapped(() => sessions.act(sessionId, to, plan.act));
        return ok({ messageId: done.messageId, status: 'sent' as const, timestamp: done.timestamp, to: done.to });
      },
    },
    {
      method: 'POST',
      url: '/api/message/:sessionId/manage',
      schema: {
        tags: ['whatsam'],
        summary: 'whatsam: delete (forEveryone), unsend, reaction, edit, read, star, unstar a message',
        params: SESSION_ID_PARAMS,
        body: MANAGE_BODY,
        response: responses(MANAGE_RESULT),
      },
      handler: async (request) => {
        const { sessionId } = request.params as { sessionId: string };
        const body = request.body as ManageBody;
        const to = normalizeRecipient(manageChat(body));
        const done = await mapped(() => sessions.act(sessionId, to, planManage(body)));
        return ok({ action: body.action, messageId: body.messageId, resultMessageId: done.messageId, status: 'sent' as const, timestamp: done.timestamp, to: done.to });
      },
    },
  ];
}

export function registerWhatsamRoutes(app: FastifyInstance, endpoints: readonly Endpoint[]): void {
  for (const e of endpoints) register(app, e);
}
