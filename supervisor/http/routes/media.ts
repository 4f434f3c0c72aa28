import type { FastifyInstance } from 'fastify';
import type { StoredMediaInfo } from '../../../src/media/media-store.js';
import { HttpError } from '../http-error.js';
import { ERROR_ENVELOPE, SESSION_ID } from '../schemas/common.js';
import type { ApiDeps } from './api-deps.js';
import { mapped } from './errors.js';

/** What the media route needs of the media store (src/media/media-store.ts). */
export interface MediaReader {
  get(sessionId: string, messageId: string): Promise<{ info: StoredMediaInfo; data: Buffer } | null>;
  /** Every stored medium of a session (DELETE /api/sessions/:id). */
  deleteSession(sessionId: string): Promise<void>;
}

const PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'messageId'],
  properties: { id: SESSION_ID, messageId: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

/**
 * `GET /api/sessions/:id/media/:messageId`: the decrypted bytes of a medium a contact sent, as
 * the incoming-message event referenced it (`media.url`), with its mimetype and SHA-256. Behind
 * the same bearer auth as every `/api/*` route. 404 `MEDIA_NOT_FOUND` when nothing is stored.
 */
export function registerMediaRoute(app: FastifyInstance, deps: Pick<ApiDeps, 'media'>): void {
  app.route({
    method: 'GET',
    url: '/api/sessions/:id/media/:messageId',
    schema: {
      tags: ['messages'],
      summary: 'Download a medium (image, video, audio, document, sticker) a contact sent',
      description:
        'The reference of an incoming message: `media: {mimetype, size, sha256, url}` where `url` is this route. The body is the decrypted medium ' +
        'with its mimetype as Content-Type and its SHA-256 (hex) in `X-Content-SHA256`. Errors: 404 MEDIA_NOT_FOUND.',
      params: PARAMS,
      produces: ['application/octet-stream'],
      response: { 200: { description: 'the medium', type: 'string', format: 'binary' }, '4xx': ERROR_ENVELOPE, '5xx': ERROR_ENVELOPE },
    },
    handler: async (request, reply) => {
      const { id, messageId } = request.params as { id: string; messageId: string };
      const reader = deps.media;
      if (!reader) throw new HttpError(404, 'MEDIA_NOT_FOUND', 'this worker stores no media');
      const found = await mapped(() => reader.get(id, messageId));
      if (!found) throw new HttpError(404, 'MEDIA_NOT_FOUND', `no stored medium for message ${messageId.slice(0, 80)} of session ${id.slice(0, 80)}`, { sessionId: id, messageId });
      return reply
        .code(200)
        .type(found.info.mimetype)
        .header('content-length', found.data.length)
        .header('x-content-sha256', found.info.sha256)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', 'attachment')
        .send(found.data);
    },
  });
}
