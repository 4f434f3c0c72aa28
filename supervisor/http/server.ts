import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { HttpDeps } from './deps.js';
import { fail } from './envelope.js';
import { installErrorHandlers, renderError } from './error-handler.js';
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
    // A 160-character session id, percent-encoded, may be up to 12 bytes per character.
    routerOptions: { maxParamLength: 2048 },
    // Unknown fields are rejected (ajv would otherwise silently drop them) and types are not
    // coerced: `"5"` is not a number and `["x"]` not a string. Bad input is a 400, never guessed at.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    // Errors raised before routing (undecodable URL, parameter too long) get the envelope too.
    frameworkErrors: (err, _request, reply) => {
      const rendered = renderError(err);
      // The framework's reply is typed for the route it could not find; the envelope fits any.
      void (reply as FastifyReply).code(rendered.statusCode).send(fail(rendered.body)); // a FastifyReply is thenable: nothing to wait for
    },
  });
  acceptEmptyJsonBodies(app);
  installErrorHandlers(app);
  for (const register of routes) await register(app, deps);
  return app;
}

/**
 * HTTP clients (the whatsam backend's axios among them) send `Content-Type: application/json` on
 * bodiless POSTs and DELETEs. Fastify's own parser refuses an empty JSON body with a 400; here an
 * empty (or blank) body is no body: bodiless routes work, and a route that needs a body still
 * answers 400 VALIDATION_FAILED from its schema. Everything else goes to Fastify's parser as before
 * (with its `__proto__`/`constructor` poisoning checks).
 */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') {
      done(null, undefined);
      return;
    }
    // The callback form: it answers through `done` (its type also covers the promise form).
    void parseJson(request, body as string, done);
  });
}
