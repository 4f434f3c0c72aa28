import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import { WEBHOOK_DOCS } from '../schemas/events.js';

/**
 * OpenAPI generated from the route schemas by @fastify/swagger: `GET /docs` and `/docs/json` (JSON),
 * `/docs/yaml`. Must be registered before any route, since it collects them as they are added.
 */
export async function registerDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'wa-gateway-worker API',
        version,
        description:
          'Sessions, QR codes and messages of one WhatsApp gateway worker. Every answer is `{success, timestamp, data}` or `{success:false, timestamp, error:{code, message, details?}}`. Routes under /api (and the seed aliases under /session) need `Authorization: Bearer <WORKER_AUTH_TOKEN>` when the worker has a token. Unknown routes and wrong methods answer 404 NOT_FOUND.',
      },
      // The schema literals are narrower than openapi-types' unions; the shape is OpenAPI 3.1's.
      webhooks: WEBHOOK_DOCS as unknown as Record<string, OpenAPIV3_1.PathItemObject>,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'sessions', description: 'Session lifecycle and QR' },
        { name: 'messages', description: 'Outgoing messages' },
        { name: 'events', description: 'The event stream: dead letters of the durable outbox; the WEBHOOK_URL body is under `webhooks`' },
        { name: 'compat', description: 'Aliases of the seed and of the original worker, same handlers' },
        { name: 'whatsam', description: "The whatsam backend's commands (start, status, send of every type, manage)" },
      ],
    },
  });
  const json = async () => app.swagger();
  app.get('/docs', { schema: { hide: true } }, json);
  app.get('/docs/json', { schema: { hide: true } }, json);
  app.get('/docs/yaml', { schema: { hide: true } }, async (_request, reply) => reply.type('application/yaml').send(app.swagger({ yaml: true })));
}
