import type { FastifyError, FastifyInstance } from 'fastify';
import { WorkerError } from '../../src/errors.js';
import { fail, type ErrorBody } from './envelope.js';
import { HttpError } from './http-error.js';

export interface RenderedError {
  readonly statusCode: number;
  readonly body: ErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Pure mapping from anything a route threw to a status and an error body. Client errors keep
 * their code and message; anything else becomes a 500 with a fixed message, because an internal
 * message may carry paths, hosts or worse.
 */
export function renderError(err: unknown): RenderedError {
  if (err instanceof HttpError) {
    return Object.keys(err.headers).length > 0 ? { statusCode: err.statusCode, body: err.toJSON(), headers: err.headers } : { statusCode: err.statusCode, body: err.toJSON() };
  }
  const fe = err as Partial<FastifyError> | undefined;
  if (fe && Array.isArray(fe.validation)) {
    return { statusCode: 400, body: { code: 'VALIDATION_FAILED', message: fe.message ?? 'invalid request' } };
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { statusCode: fe.statusCode, body: { code: typeof fe.code === 'string' ? fe.code : 'BAD_REQUEST', message: fe.message ?? 'bad request' } };
  }
  if (err instanceof WorkerError) return { statusCode: 500, body: { code: err.code, message: 'internal error' } };
  return { statusCode: 500, body: { code: 'INTERNAL', message: 'internal error' } };
}

/** Installs the envelope-shaped error and not-found handlers on one server. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const rendered = renderError(err);
    if (rendered.statusCode >= 500) request.log.error({ err }, 'request failed');
    void reply.code(rendered.statusCode).headers(rendered.headers ?? {}).send(fail(rendered.body)); // a FastifyReply is thenable: nothing to wait for
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(fail({ code: 'NOT_FOUND', message: `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}` })); // a FastifyReply is thenable: nothing to wait for
  });
}
