import { FAILURE_REASONS, SESSION_STATUSES } from '../../../src/status.js';
import { LABEL, SESSION_ID } from './common.js';

/**
 * A session's own egress proxy (issue 19 §2). Checked in full by `parseProxyUrl` in the handler
 * (400 `PROXY_URL_INVALID`, naming what is wrong and never the credentials).
 */
export const PROXY_SETTING = {
  type: ['string', 'null'],
  maxLength: 2048,
  description: 'http://, https://, socks5:// or socks5h://[user:password@]host:port; null = WA_PROXY_URL, else direct. Shown back with the password as ***',
  examples: ['socks5h://user:secret@10.0.0.7:1080', 'http://10.0.0.8:3128', null],
} as const;

/** `POST /api/sessions` (and the seed's `/session/create`, the original `/api/session/start`). */
export const CREATE_SESSION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['sessionId'],
  properties: { sessionId: SESSION_ID, userId: LABEL, name: LABEL, proxy: PROXY_SETTING },
} as const;

export interface CreateSessionBody {
  sessionId: string;
  userId?: string | null;
  name?: string | null;
  proxy?: string | null;
}

/** `PATCH /api/sessions/:id`: the settings of a session that can change while it runs. */
export const UPDATE_SESSION_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['proxy'],
  properties: { proxy: PROXY_SETTING },
} as const;

export interface UpdateSessionBody {
  proxy: string | null;
}

const NULLABLE_STRING = { type: ['string', 'null'] } as const;
const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;

/** The API's view of one session (src/session-view.ts); nullable fields are null when unknown. */
export const SESSION_VIEW = {
  type: 'object',
  required: ['sessionId', 'userId', 'name', 'status', 'reason', 'phoneNumber', 'pid', 'restarts', 'isRecovered', 'qr', 'qrExpiresAt', 'pairingCode', 'pairingCodeExpiresAt', 'lastSeen', 'connectedAt', 'lastCloseCode', 'nextRestartAt', 'proxy'],
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
    pairingCode: { type: ['string', 'null'], description: 'the code to type on the phone, while pairing_code_required (POST /api/sessions/:id/pairing-code)' },
    pairingCodeExpiresAt: NULLABLE_TIME,
    lastSeen: NULLABLE_TIME,
    connectedAt: NULLABLE_TIME,
    lastCloseCode: { type: ['integer', 'null'], description: 'Baileys close code behind the last reconnect or ending (428, 515, 401, …); null before any' },
    nextRestartAt: { ...NULLABLE_TIME, description: 'when the host restarts while it waits out its crash backoff; null otherwise' },
    proxy: {
      type: ['object', 'null'],
      required: ['url', 'source'],
      description: "the egress proxy of the session's host (issue 19 §2); null = direct",
      properties: {
        url: { type: 'string', description: 'credentials shown as user:***' },
        source: { type: 'string', enum: ['session', 'default'], description: 'its own (POST/PATCH) or WA_PROXY_URL' },
      },
    },
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
