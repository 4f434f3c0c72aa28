import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { HttpDeps } from './deps.js';
import { installErrorHandlers } from './error-handler.js';
import { ROUTES, type RouteModule } from './routes/index.js';

/**
 * Builds (does not start) the worker's HTTP server. Request logging is off: a health probe every
 * few seconds would drown the log; routes log what matters and errors are logged by the handler.
 */
export async function buildHttpServer(deps: HttpDeps, routes: readonly RouteModule[] = ROUTES): Promise<FastifyInstance> {
  const app = Fastify({
    // A pino child is a FastifyBaseLogger; the cast only drops pino's extra generic parameters.
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Idle keep-alive sockets must not hold a graceful shutdown open.
    forceCloseConnections: 'idle',
    bodyLimit: 1024 * 1024,
  });
  installErrorHandlers(app);
  for (const register of routes) await register(app, deps);
  return app;
}
