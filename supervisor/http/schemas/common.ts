import { SESSION_ID_MAX_LENGTH, SESSION_ID_PATTERN_SOURCE } from '../../../src/session-id.js';

/**
 * JSON-schema parts every API route shares. Fastify validates requests with them (ajv, unknown
 * fields rejected: see server.ts) and @fastify/swagger turns them into the OpenAPI of /docs.
 */

/**
 * Session ids become folder names and object keys (src/session-id.ts maps them to safe names):
 * checked before any I/O. Control characters, `/` and `\` are refused with a 400.
 */
export const SESSION_ID = { type: 'string', pattern: SESSION_ID_PATTERN_SOURCE, minLength: 1, maxLength: SESSION_ID_MAX_LENGTH } as const;

export const SESSION_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: SESSION_ID },
} as const;

/** The original worker names the parameter `sessionId` on `POST /api/:sessionId/send`. */
export const SESSION_ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['sessionId'],
  properties: { sessionId: SESSION_ID },
} as const;

/** Free text a backend attaches to a session (user id, display name). */
export const LABEL = { type: ['string', 'null'], minLength: 1, maxLength: 128 } as const;

export const ERROR_ENVELOPE = {
  type: 'object',
  required: ['success', 'timestamp', 'error'],
  properties: {
    success: { type: 'boolean', const: false },
    timestamp: { type: 'string', format: 'date-time' },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable, machine-readable' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/** `{success:true, timestamp, data}` around one data schema. */
export function okEnvelope<T extends object>(data: T) {
  return {
    type: 'object',
    required: ['success', 'timestamp', 'data'],
    properties: {
      success: { type: 'boolean', const: true },
      timestamp: { type: 'string', format: 'date-time' },
      data,
    },
  } as const;
}

/** Responses of a route: its success shape plus the error envelope for every 4xx and 5xx. */
export function responses<T extends object>(ok: T, status = 200) {
  return { [status]: okEnvelope(ok), '4xx': ERROR_ENVELOPE, '5xx': ERROR_ENVELOPE };
}
