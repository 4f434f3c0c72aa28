import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';
import { ok } from '../envelope.js';

/**
 * `GET /live`: the process and its event loop answer (what a container HEALTHCHECK needs).
 * `GET /health`: the supervisor's state; 503 while shutting down so a load balancer stops routing.
 */
export function healthRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get('/live', async () => ok({ status: 'alive' as const }));

  app.get('/health', async (_request, reply) => {
    const report = deps.health();
    if (report.status === 'shutting_down') void reply.code(503); // a FastifyReply is thenable: nothing to wait for
    return ok(report);
  });
}
