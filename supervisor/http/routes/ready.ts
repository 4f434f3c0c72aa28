import type { FastifyInstance } from 'fastify';
import { ok } from '../envelope.js';
import { fail } from '../envelope.js';
import type { ApiDeps } from './api-deps.js';
import type { StorageHealth } from './storage-probe.js';

export interface Readiness {
  ready: boolean;
  recoveryFinished: boolean;
  storage: StorageHealth;
  closing: boolean;
}

/** Pure: ready once this start's recovery has finished and storage answers, until shutdown begins. */
export function readiness(input: { recoveryFinished: boolean; storage: StorageHealth; closing: boolean }): Readiness {
  return { ready: input.recoveryFinished && input.storage.reachable === true && !input.closing, ...input };
}

/** `GET /ready`: 200 when ready, else 503 `NOT_READY` naming what is missing. */
export function registerReadyRoute(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/ready', async (_request, reply) => {
    const state = readiness({ recoveryFinished: deps.recoveryFinished(), storage: await deps.storage.check(), closing: deps.closing() });
    if (state.ready) return ok(state);
    const missing = [
      ...(state.closing ? ['shutting down'] : []),
      ...(state.recoveryFinished ? [] : ['session recovery has not finished']),
      ...(state.storage.reachable === true ? [] : ['storage is not reachable']),
    ];
    return reply.code(503).send(fail({ code: 'NOT_READY', message: `not ready: ${missing.join('; ')}`, details: { ...state } }));
  });
}
