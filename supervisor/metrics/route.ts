/**
 * `GET /metrics`: the worker's own metrics and the default Node process metrics in the
 * Prometheus text format. With METRICS_TOKEN set, a matching bearer token is required; it is
 * separate from WORKER_AUTH_TOKEN so a Prometheus server need not hold the API token.
 */
import type { FastifyInstance } from 'fastify';
import { fail } from '../http/envelope.js';
import { bearerMatches } from './bearer.js';
import type { Metrics } from './registry.js';

export interface MetricsRouteOptions {
  metrics: Metrics;
  /** METRICS_TOKEN; undefined or empty = open. */
  token?: string | undefined;
  path?: string;
}

export function registerMetricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  const { metrics, token } = options;
  app.get(options.path ?? '/metrics', async (request, reply) => {
    if (token !== undefined && token !== '' && !bearerMatches(request.headers.authorization, token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send(fail({ code: 'UNAUTHORIZED', message: 'a valid metrics bearer token is required' }));
    }
    const scrape = await metrics.scrape();
    return reply.code(200).header('content-type', scrape.contentType).header('cache-control', 'no-store').send(scrape.body);
  });
}
