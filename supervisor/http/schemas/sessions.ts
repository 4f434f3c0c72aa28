import { FAILURE_REASONS, SESSION_STATUSES } from '../../../src/status.js';
import { LABEL, SESSION_ID } from './common.js';

/** `POST /api/sessions` (and the seed's `/session/create`, the original `/api/session/start`). */
export const CREATE_SESSION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['sessionId'],
  properties: { sessionId: SESSION_ID, userId: LABEL, name: LABEL },
} as const;

export interface CreateSessionBody {
  sessionId: string;
  userId?: string | null;
  name?: string | null;
}

const NULLABLE_STRING = { type: ['string', 'null'] } as const;
const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;

/** The API's view of one session (src/session-view.ts); nullable fields are null when unknown. */
export const SESSION_VIEW = {
  type: 'object',
  required: ['sessionId', 'userId', 'name', 'status', 'reason', 'phoneNumber', 'pid', 'restarts', 'isRecovered', 'qr', 'qrExpiresAt', 'lastSeen', 'connectedAt', 'lastCloseCode', 'nextRestartAt'],
  properties: {
    sessionId: { type: 'string' },
    userId: NULLABLE_STRING,
    name: NULLABLE_STRING,
    status: { type: 'string', enum: [...SESSION_STATUSES] },
    reason: { type: ['string', 'null'], enum: [...FAILURE_REASONS, null] },
    phoneNumber: { type: ['string', 'null'], description: 'digits only, e.g. 15550001111' },
    pid: { type: ['integer', 'null'], description: 'pid of the session host process; null when none runs' },
    restarts: { type: 'integer', minimum: 0 },
    isRecovered: { type: 'boolean' },
    qr: { type: ['string', 'null'], description: 'raw QR string Baileys emitted, while qr_required' },
    qrExpiresAt: NULLABLE_TIME,
    lastSeen: NULLABLE_TIME,
    connectedAt: NULLABLE_TIME,
    lastCloseCode: { type: ['integer', 'null'], description: 'Baileys close code behind the last reconnect or ending (428, 515, 401, …); null before any' },
    nextRestartAt: { ...NULLABLE_TIME, description: 'when the host restarts while it waits out its crash backoff; null otherwise' },
  },
} as const;

const STATUS_NAME = `(${SESSION_STATUSES.join('|')})`;

/** `GET /api/sessions?status=connected,failed`: one status or a comma-separated list. */
export const SESSION_LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: {
      type: 'string',
      pattern: `^${STATUS_NAME}(,${STATUS_NAME})*$`,
      description: `only sessions in one of these statuses (comma-separated): ${SESSION_STATUSES.join(', ')}`,
    },
  },
} as const;

export interface SessionListQuery {
  status?: string;
}

export const SESSION_LIST = {
  type: 'object',
  required: ['sessions', 'total', 'maxSessions'],
  properties: {
    sessions: { type: 'array', items: SESSION_VIEW },
    total: { type: 'integer', minimum: 0 },
    maxSessions: { type: 'integer', minimum: 1 },
  },
} as const;

export const SESSION_DELETED = {
  type: 'object',
  required: ['sessionId', 'deleted'],
  properties: { sessionId: { type: 'string' }, deleted: { type: 'boolean', const: true } },
} as const;
