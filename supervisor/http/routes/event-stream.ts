import type { FastifyInstance } from 'fastify';
import type { EventOutbox } from '../../outbox/index.js';
import { SESSION_ID } from '../schemas/common.js';

/** A comment line keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * `GET /api/events/stream`: the event stream as server-sent events, live from the moment of
 * connection (`?sessionId=` for one session). Each event is `id: <idempotency key>`,
 * `event: session.status|message|message.status`, `data: <the WEBHOOK_URL body>`. It is not
 * durable — a client that needs every event, also while it is away, uses WEBHOOK_URL.
 */
export function registerEventStreamRoute(app: FastifyInstance, outbox: EventOutbox): void {
  app.get(
    '/api/events/stream',
    {
      schema: {
        tags: ['events'],
        summary: 'Live server-sent events: every session status, incoming message and receipt (data = the WEBHOOK_URL body)',
        querystring: { type: 'object', additionalProperties: false, properties: { sessionId: SESSION_ID } },
        produces: ['text/event-stream'],
        response: { 200: { description: 'text/event-stream; one `id`/`event`/`data` block per event', type: 'string' } },
      },
    },
    async (request, reply) => {
      const only = (request.query as { sessionId?: string }).sessionId;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(': wa-gateway-worker event stream\n\n');
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      let unsubscribe = (): void => undefined;
      const stop = (): void => {
        clearInterval(keepalive);
        unsubscribe();
        if (!res.writableEnded) res.end();
      };
      unsubscribe = outbox.subscribe({
        event: (body) => {
          if (only !== undefined && body.sessionId !== only) return;
          res.write(`id: ${body.id}\nevent: ${body.event}\ndata: ${JSON.stringify(body)}\n\n`);
        },
        end: stop,
      });
      request.raw.on('close', stop);
    },
  );
}
