import { isValidSessionId } from '../../src/session-id.js';
import type { Assignment, AssignmentList } from './domain.js';
import type { WireResponse } from './wire.js';
import { BackendError } from './errors.js';

/**
 * Shared reading of `{data:{sessions:[…]}}` for both profiles. Backends name the id `id` or
 * `sessionId` and the name `name` or `sessionName`; entries whose id is not a valid session id are
 * skipped (they could never become a folder or object key) and counted.
 */
export function parseAssignmentList(res: WireResponse): AssignmentList {
  if (res.status === 404) return { sessions: [], ignored: 0 };
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
