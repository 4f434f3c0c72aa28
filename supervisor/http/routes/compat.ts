import type { FastifyInstance, HTTPMethods } from 'fastify';
import type { Endpoint } from './endpoint.js';
import { register } from './endpoint.js';
import type { SessionEndpointName } from './sessions.js';

export interface CompatEndpoints {
  sessions: Record<SessionEndpointName, Endpoint>;
  qr: Endpoint;
}

type Target = SessionEndpointName | 'qr';

/**
 * Compatibility aliases (design.md §9): the seed's and the original worker's URLs, registered on
 * the canonical handlers and schemas, so they validate, answer and fail exactly alike.
 */
export const ALIASES: ReadonlyArray<{ method: HTTPMethods; url: string; target: Target }> = [
  // The seed (session-recovery design document).
  { method: 'POST', url: '/session/create', target: 'create' },
  { method: 'GET', url: '/session/:id/status', target: 'get' },
  // The original worker.
  { method: 'POST', url: '/api/session/start', target: 'create' },
  { method: 'GET', url: '/api/session', target: 'list' },
  { method: 'GET', url: '/api/session/:id/status', target: 'get' },
  { method: 'GET', url: '/api/session/:id/qr', target: 'qr' },
  { method: 'POST', url: '/api/session/:id/restart', target: 'restart' },
  { method: 'POST', url: '/api/session/:id/disconnect', target: 'disconnect' },
  { method: 'POST', url: '/api/session/:id/logout', target: 'logout' },
  { method: 'DELETE', url: '/api/session/:id', target: 'remove' },
  // `POST /api/:sessionId/send` is its own route (whatsam.ts): it takes every shape of both.
];

export function registerCompatRoutes(app: FastifyInstance, endpoints: CompatEndpoints): void {
  for (const alias of ALIASES) {
    const endpoint = alias.target === 'qr' ? endpoints.qr : endpoints.sessions[alias.target];
    register(app, endpoint, { method: alias.method, url: alias.url });
  }
}
