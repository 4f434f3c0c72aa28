import type { FastifyInstance } from 'fastify';
import { ok } from '../envelope.js';
import { HttpError } from '../http-error.js';
import { responses, SESSION_PARAMS } from '../schemas/common.js';
import { parseProxyUrl } from '../../../src/proxy/proxy-url.js';
import { CREATE_SESSION_BODY, SESSION_DELETED, SESSION_LIST, SESSION_LIST_QUERY, SESSION_VIEW, UPDATE_SESSION_BODY, type CreateSessionBody, type SessionListQuery, type UpdateSessionBody } from '../schemas/sessions.js';
import type { ApiDeps } from './api-deps.js';
import { register, type Endpoint } from './endpoint.js';
import { mapped, mappedSync } from './errors.js';

type IdParams = { id: string };

export type SessionEndpointName = 'create' | 'list' | 'get' | 'update' | 'restart' | 'disconnect' | 'logout' | 'remove';

/** A proxy setting from a body: checked in full (400 PROXY_URL_INVALID) and normalised; null clears it. */
function proxySetting(raw: string | null): string | null {
  return raw === null ? null : mappedSync(() => parseProxyUrl(raw).url);
}

/**
 * Sessions (design.md §9): create (idempotent), list, status, restart (new host), disconnect
 * (stop, keep auth), logout (WhatsApp logout, auth deleted everywhere) and delete (logout, then
 * the session is forgotten).
 */
export function sessionEndpoints(deps: ApiDeps): Record<SessionEndpointName, Endpoint> {
  const { sessions } = deps;
  const view = (id: string): ReturnType<typeof sessions.get> & object => {
    const v = sessions.get(id);
    if (!v) throw new HttpError(404, 'SESSION_NOT_FOUND', `session ${id} is not hosted on this worker`, { sessionId: id });
    return v;
  };
  const command = (name: 'restart' | 'disconnect' | 'logout', summary: string): Endpoint => ({
    method: 'POST',
    url: `/api/sessions/:id/${name}`,
    schema: { tags: ['sessions'], summary, params: SESSION_PARAMS, response: responses(SESSION_VIEW) },
    handler: async (request) => {
      const { id } = request.params as IdParams;
      return ok(await mapped(() => sessions[name](id)));
    },
  });

  return {
    create: {
      method: 'POST',
      url: '/api/sessions',
      schema: {
        tags: ['sessions'],
        summary: 'Create and start a session (idempotent: an existing session is returned as it is, 200)',
        body: CREATE_SESSION_BODY,
        response: { ...responses(SESSION_VIEW, 201), 200: responses(SESSION_VIEW)[200] },
      },
      handler: async (request, reply) => {
        const body = request.body as CreateSessionBody;
        // Checked before anything happens: a bad proxy creates nothing.
        const proxy = body.proxy === undefined ? undefined : proxySetting(body.proxy);
        const existed = sessions.get(body.sessionId) !== undefined;
        const spec = { sessionId: body.sessionId, ...(body.userId === undefined ? {} : { userId: body.userId }), ...(body.name === undefined ? {} : { name: body.name }) };
        const created = await mapped(() => (proxy === undefined ? sessions.create(spec) : sessions.createWithProxy(spec, proxy)));
        void reply.code(existed ? 200 : 201); // a FastifyReply is thenable: nothing to wait for
        return ok(created);
      },
    },
    list: {
      method: 'GET',
      url: '/api/sessions',
      schema: { tags: ['sessions'], summary: 'Every session of this worker, or those in the given statuses', querystring: SESSION_LIST_QUERY, response: responses(SESSION_LIST) },
      handler: async (request) => {
        const wanted = (request.query as SessionListQuery).status?.split(',');
        const list = wanted === undefined ? sessions.list() : sessions.list().filter((s) => wanted.includes(s.status));
        return ok({ sessions: list, total: list.length, maxSessions: deps.maxSessions });
      },
    },
    get: {
      method: 'GET',
      url: '/api/sessions/:id',
      schema: { tags: ['sessions'], summary: 'Status of one session (ended sessions keep answering until deleted)', params: SESSION_PARAMS, response: responses(SESSION_VIEW) },
      handler: async (request) => ok(view((request.params as IdParams).id)),
    },
    update: {
      method: 'PATCH',
      url: '/api/sessions/:id',
      schema: {
        tags: ['sessions'],
        summary: "Change a session's egress proxy (issue 19 §2): saved in DATA_DIR (kept across restarts and recoveries); a running host is restarted on the new route with its auth (no QR). proxy: null = WA_PROXY_URL, else direct",
        params: SESSION_PARAMS,
        body: UPDATE_SESSION_BODY,
        response: responses(SESSION_VIEW),
      },
      handler: async (request) => {
        const { id } = request.params as IdParams;
        const proxy = proxySetting((request.body as UpdateSessionBody).proxy);
        view(id);
        return ok(await mapped(() => sessions.setProxy(id, proxy)));
      },
    },
    restart: command('restart', 'Stop the session host and start a new one (also lifts a crash-loop quarantine)'),
    disconnect: command('disconnect', 'Stop the session host and keep its auth (no WhatsApp logout)'),
    logout: command('logout', 'Log out of WhatsApp (a host is started for it when none runs) and delete the auth everywhere; the session stays listed as logged_out, or as disconnected/logout_pending when WhatsApp could not be reached within LOGOUT_TIMEOUT_MS (done first at the next start)'),
    remove: {
      method: 'DELETE',
      url: '/api/sessions/:id',
      schema: { tags: ['sessions'], summary: 'Log out, delete the auth everywhere and forget the session (and its stored incoming media)', params: SESSION_PARAMS, response: responses(SESSION_DELETED) },
      handler: async (request) => {
        const { id } = request.params as IdParams;
        await mapped(async () => {
          sessions.logout(id);
          await sessions.whenIdle(id);
          await sessions.remove(id);
        });
        // Its stored incoming media go with it; a storage failure leaves them behind, logged, and
        // does not undo the deletion.
        await deps.media?.deleteSession(id).catch((err: unknown) => deps.logger.warn({ err, sessionId: id }, 'could not delete the stored media of a deleted session'));
        return ok({ sessionId: id, deleted: true as const });
      },
    },
  };
}

export function registerSessionRoutes(app: FastifyInstance, endpoints: Record<SessionEndpointName, Endpoint>): void {
  for (const e of Object.values(endpoints)) register(app, e);
}
