import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, HTTPMethods } from 'fastify';

/**
 * One API operation: its schema and handler, registered once under its canonical URL and again
 * under each compatibility alias (compat.ts) — the aliases are the same code, not copies.
 */
export interface Endpoint {
  readonly method: HTTPMethods;
  readonly url: string;
  readonly schema: FastifySchema;
  // Requests are validated by `schema` before the handler runs; handlers narrow with `as`.
  readonly handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Registers `endpoint` at its own URL, or at `alias` (an extra route tagged `compat` in /docs). */
export function register(app: FastifyInstance, endpoint: Endpoint, alias?: { method?: HTTPMethods; url: string }): void {
  const schema = alias === undefined ? endpoint.schema : { ...endpoint.schema, tags: ['compat'], summary: `${endpoint.method} ${endpoint.url} (alias)` };
  app.route({ method: alias?.method ?? endpoint.method, url: alias?.url ?? endpoint.url, schema, handler: endpoint.handler });
}
