import type { FastifyInstance } from 'fastify';
import { ok } from '../envelope.js';
import { HttpError } from '../http-error.js';
import { responses } from '../schemas/common.js';
import { DEAD_LETTER_LIST, DEAD_LETTER_PARAMS, DEAD_LETTER_QUERY, DISCARD_DATA, REPLAY_BODY, REPLAY_DATA, type DeadLetterQuery } from '../schemas/events.js';
import type { EventOutbox } from '../../outbox/index.js';
import { register } from './endpoint.js';

/**
 * Dead letters of the event outbox: events a sink refused (4xx) after OUTBOX_REJECT_RETRIES
 * attempts. Listed, replayed (back into their lane, same idempotency key) or discarded by an
 * operator; never dropped silently.
 */
export function registerEventRoutes(app: FastifyInstance, outbox: EventOutbox): void {
  register(app, {
    method: 'GET',
    url: '/api/events/dead-letters',
    schema: { tags: ['events'], summary: 'Events a sink rejected, oldest first', querystring: DEAD_LETTER_QUERY, response: responses(DEAD_LETTER_LIST) },
    handler: async (request) => {
      const { limit, offset } = request.query as DeadLetterQuery;
      return ok(outbox.deadLetters(Number(limit ?? 100), Number(offset ?? 0)));
    },
  });
  register(app, {
    method: 'POST',
    url: '/api/events/dead-letters/replay',
    schema: { tags: ['events'], summary: 'Send dead letters again (all, or the given ids)', body: REPLAY_BODY, response: responses(REPLAY_DATA) },
    handler: async (request) => {
      const ids = (request.body as { ids?: number[] } | null | undefined)?.ids;
      return ok({ replayed: outbox.replay(ids) });
    },
  });
  register(app, {
    method: 'DELETE',
    url: '/api/events/dead-letters/:id',
    schema: { tags: ['events'], summary: 'Discard one dead letter for good', params: DEAD_LETTER_PARAMS, response: responses(DISCARD_DATA) },
    handler: async (request) => {
      const id = Number((request.params as { id: string }).id);
      if (!outbox.discard(id)) throw new HttpError(404, 'DEAD_LETTER_NOT_FOUND', `no dead letter with id ${id}`, { id });
      return ok({ id, discarded: true });
    },
  });
}
