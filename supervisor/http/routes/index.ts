import type { FastifyInstance } from 'fastify';
import type { HttpDeps } from '../deps.js';
import type { ApiDeps } from './api-deps.js';
import { installAuth } from './auth.js';
import { registerCompatRoutes } from './compat.js';
import { contactCheckEndpoint, registerContactRoute } from './contacts.js';
import { registerDocs } from './docs.js';
import { registerEventStreamRoute } from './event-stream.js';
import { registerEventRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { registerMediaRoute } from './media.js';
import { messageEndpoint, registerMessageRoute } from './messages.js';
import { pairingCodeEndpoint, registerPairingCodeRoute } from './pairing-code.js';
import { qrEndpoint, registerQrRoute } from './qr.js';
import { registerReadyRoute } from './ready.js';
import { registerSessionRoutes, sessionEndpoints } from './sessions.js';
import { registerWhatsamRoutes, whatsamEndpoints } from './whatsam.js';

/** A route file: registers its routes on the server with the dependencies it needs. */
export type RouteModule = (app: FastifyInstance, deps: HttpDeps) => void | Promise<void>;

/** Routes that need only the HTTP deps (health, live, metrics); the API's own route files are listed in `apiRoutes` below. */
export const ROUTES: readonly RouteModule[] = [healthRoutes];

/**
 * The full worker API (design.md §9) on top of `ROUTES`: docs first (they collect every later
 * route), then the auth hook, readiness, sessions, QR, messages and the compatibility aliases.
 */
export function apiRoutes(api: ApiDeps): RouteModule[] {
  const sessions = sessionEndpoints(api);
  const qr = qrEndpoint(api);
  return [
    (app) => registerDocs(app, api.version),
    (app) => installAuth(app, api.authToken, api.logger, api.host),
    ...ROUTES,
    (app) => registerReadyRoute(app, api),
    (app) => registerSessionRoutes(app, sessions),
    (app) => registerQrRoute(app, qr),
    (app) => registerPairingCodeRoute(app, pairingCodeEndpoint(api)),
    (app) => registerMessageRoute(app, messageEndpoint(api)),
    (app) => registerContactRoute(app, contactCheckEndpoint(api)),
    (app) => registerEventRoutes(app, api.outbox),
    (app) => registerEventStreamRoute(app, api.outbox),
    (app) => registerMediaRoute(app, api),
    (app) => registerCompatRoutes(app, { sessions, qr }),
    (app) => registerWhatsamRoutes(app, whatsamEndpoints(api)),
  ];
}
