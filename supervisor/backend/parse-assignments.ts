import { isValidSessionId } from '../../src/session-id.js';
import type { Assignment, AssignmentList, WireResponse } from './contract.js';
import { BackendError } from './errors.js';

/** Decides whether a 404 on the assignments call is the backend itself saying "none assigned". */
export type NoneAssignedRule = (res: WireResponse) => boolean;

/**
 * The generic rule (issue 13 §6): a 404 means "none assigned" only when it is the backend's own JSON
 * error envelope (`{success:false, error:…}`). An HTML page of an ingress during a deploy, an empty
 * body or some other JSON is not the backend talking: that is an outage, and reading it as "none"
 * would stop every session of the worker.
 */
export const isEnvelopeNotFound: NoneAssignedRule = (res) => {
  if (res.status !== 404) return false;
  const body = res.data;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const error = field(body, 'error');
  return field(body, 'success') === false && (typeof error === 'string' || (error !== null && typeof error === 'object'));
};

/**
 * Shared reading of `{data:{sessions:[…]}}` for both profiles. Backends name the id `id` or
 * `sessionId` and the name `name` or `sessionName`; entries whose id is not a valid session id are
 * skipped (they could never become a folder or object key) and counted. A 404 is "none" only when
 * `noneAssigned` says so (each profile passes its backend's rule); any other 404, or a body that
 * does not parse, throws BACKEND_BAD_RESPONSE: the caller keeps its sessions and cache and retries.
 */
export function parseAssignmentList(res: WireResponse, noneAssigned: NoneAssignedRule = isEnvelopeNotFound): AssignmentList {
  if (res.status === 404) {
    if (noneAssigned(res)) return { sessions: [], ignored: 0 };
    throw new BackendError('BACKEND_BAD_RESPONSE', "assigned sessions: HTTP 404 that is not the backend's own answer (a proxy or ingress page?); keeping the current sessions", {
      httpStatus: 404,
      operation: 'assignments',
    });
  }
  const data = field(res.data, 'data');
  const list = Array.isArray(data) ? data : field(data, 'sessions');
  if (!Array.isArray(list)) {
    throw new BackendError('BACKEND_BAD_RESPONSE', 'assigned sessions response has no data.sessions array', { operation: 'assignments' });
  }
  const sessions: Assignment[] = [];
  const seen = new Set<string>();
  let ignored = 0;
  for (const entry of list) {
    const id = field(entry, 'sessionId') ?? field(entry, 'id');
    if (!isValidSessionId(id) || seen.has(id)) {
      ignored += 1;
      continue;
    }
    seen.add(id);
    sessions.push({ sessionId: id, userId: stringOrNull(field(entry, 'userId')), name: stringOrNull(field(entry, 'name') ?? field(entry, 'sessionName')) });
  }
  return { sessions, ignored };
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function objectField(value: unknown, key: string): unknown {
  return field(value, key);
}
