import type { FastifyInstance } from 'fastify';
import { ok } from '../envelope.js';
import { HttpError } from '../http-error.js';
import { responses, SESSION_PARAMS } from '../schemas/common.js';
import { QR_DATA, QR_QUERY, type QrQuery } from '../schemas/qr.js';
import type { ApiDeps } from './api-deps.js';
import { register, type Endpoint } from './endpoint.js';
import { mapped } from './errors.js';

/**
 * `GET /api/sessions/:id/qr`: the raw QR string Baileys emitted and when it expires; with
 * `?format=png` an image rendered on the QR piscina pool. 404 `NO_QR` when none is on offer.
 */
export function qrEndpoint(deps: ApiDeps): Endpoint {
  return {
    method: 'GET',
    url: '/api/sessions/:id/qr',
    schema: {
      tags: ['sessions'],
      summary: 'Current QR code of a session waiting to be linked (?format=png for an image/png body)',
      params: SESSION_PARAMS,
      querystring: QR_QUERY,
      produces: ['application/json', 'image/png'],
      response: responses(QR_DATA),
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const view = deps.sessions.get(id);
      if (!view) throw new HttpError(404, 'SESSION_NOT_FOUND', `session ${id} is not hosted on this worker`, { sessionId: id });
      if (view.qr === null) throw new HttpError(404, 'NO_QR', `session ${id} has no QR code (status ${view.status})`, { sessionId: id, status: view.status });
      if ((request.query as QrQuery).format === 'png') {
        const qr = view.qr;
        const png = await mapped(() => deps.qr.png(qr));
        return reply.code(200).type('image/png').header('cache-control', 'no-store').send(png);
      }
      void reply.header('cache-control', 'no-store'); // a FastifyReply is thenable: nothing to wait for
      return ok({ qr: view.qr, expiresAt: view.qrExpiresAt });
    },
  };
}

export function registerQrRoute(app: FastifyInstance, endpoint: Endpoint): void {
  register(app, endpoint);
}
