import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../../src/logger.js';
import { isLoopbackAddress } from '../../../src/config/listen.js';
import { bearerMatches } from '../../metrics/bearer.js';
import { fail } from '../envelope.js';

/** URL prefixes that read or change sessions: the API and the seed's compatibility routes. */
const PROTECTED = ['/api', '/session'];

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Pure: whether a request needs the bearer token. Decided on the route the router matched and,
 * for unmatched requests, on the decoded and lower-cased path, so neither `/API/x` nor `/%61pi/x`
 * slips past. Health, readiness, liveness, docs and metrics (own token) stay open.
 */
export function needsAuth(routeUrl: string | undefined, rawUrl: string): boolean {
  if (routeUrl !== undefined && PROTECTED.some((p) => under(routeUrl, p))) return true;
  let path = (rawUrl.split('?')[0] ?? '').replace(/\/{2,}/g, '/');
  try {
    path = decodeURIComponent(path);
  } catch {
    /* undecodable: judged as it is */
  }
  path = path.toLowerCase();
  return PROTECTED.some((p) => under(path, p));
}

/**
 * `Authorization: Bearer <WORKER_AUTH_TOKEN>` on every session route (constant-time compare),
 * checked before the body is read. Without a token the API is open: start-up allows that on
 * loopback only, or with ALLOW_UNAUTHENTICATED_API=true (src/config/listen.ts), and the log says so.
 */
export function installAuth(app: FastifyInstance, token: string | undefined, logger: Logger, host: string): void {
  if (token === undefined || token === '') {
    if (isLoopbackAddress(host)) {
      logger.warn({ host }, 'WORKER_AUTH_TOKEN is not set: the session API (/api/*) has no authentication and listens on loopback only. Set WORKER_AUTH_TOKEN to serve it to the network.');
    } else {
      logger.warn(
        { host },
        'WORKER_AUTH_TOKEN is not set and ALLOW_UNAUTHENTICATED_API=true: the session API (/api/*) is OPEN to the network — anyone who can reach this port can create, read and delete WhatsApp sessions and send messages.',
      );
    }
    return;
  }
  app.addHook('onRequest', async (request, reply) => {
    if (!needsAuth(request.routeOptions.url, request.url)) return;
    if (bearerMatches(request.headers.authorization, token)) return;
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="wa-gateway-worker"')
      .send(fail({ code: 'UNAUTHORIZED', message: 'a valid bearer token is required (Authorization: Bearer <WORKER_AUTH_TOKEN>)' }));
  });
}
