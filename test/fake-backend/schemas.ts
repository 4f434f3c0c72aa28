/**
 * Request body schemas of both backend contracts (design.md §8), strict like the real backends:
 * `seed` allows extra fields but types every known one exactly (integers, plain numbers, ISO
 * timestamps, canonical lower-case statuses, present-but-null for unknown values); `whatsam`
 * follows its Joi validators: upper-case enums, no nulls, only the fields it knows.
 */
import { SESSION_STATUSES } from '../../src/status.js';

const iso = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const percent = { type: 'number', minimum: 0, maximum: 100 } as const;
const canonical = { enum: [...SESSION_STATUSES] } as const;
const seedPhone = { type: ['string', 'null'], pattern: '^\\d{5,20}$' } as const;

export const seedSchemas = {
  register: {
    type: 'object',
    required: ['workerId', 'endpoint', 'maxSessions', 'status', 'capabilities'],
    properties: {
      workerId: { type: 'string', minLength: 1 },
      endpoint: { type: 'string', format: 'uri' },
      maxSessions: { type: 'integer', minimum: 1 },
      status: { const: 'online' },
      capabilities: {
        type: 'object',
        required: ['version', 'features'],
        properties: { version: { type: 'string', minLength: 1 }, features: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
  recovery: {
    type: 'object',
    required: ['recoveredSessions', 'failedSessions'],
    properties: {
      recoveredSessions: {
        type: 'array',
        items: { type: 'object', required: ['sessionId', 'status', 'phoneNumber'], properties: { sessionId: { type: 'string' }, status: canonical, phoneNumber: seedPhone } },
      },
      failedSessions: {
        type: 'array',
        items: { type: 'object', required: ['sessionId', 'error'], properties: { sessionId: { type: 'string' }, error: { type: 'string', minLength: 1 } } },
      },
    },
  },
  heartbeat: {
    type: 'object',
    required: ['status', 'metrics', 'sessions', 'capabilities', 'recoveryStats', 'lastActivity'],
    properties: {
      status: { const: 'online' },
      metrics: {
        type: 'object',
        required: ['sessionCount', 'cpuUsage', 'memoryUsage', 'uptime', 'messageCount'],
        properties: { sessionCount: count, cpuUsage: percent, memoryUsage: percent, uptime: { type: 'number', minimum: 0 }, messageCount: count },
      },
      sessions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['sessionId', 'status', 'phoneNumber', 'lastActivity', 'isRecovered', 'userId'],
          properties: {
            sessionId: { type: 'string' },
            status: canonical,
            phoneNumber: seedPhone,
            lastActivity: { type: ['string', 'null'], format: 'date-time' },
            isRecovered: { type: 'boolean' },
            userId: { type: ['string', 'null'] },
          },
        },
      },
      capabilities: {
        type: 'object',
        required: ['maxSessions', 'version', 'features'],
        properties: { maxSessions: count, version: { type: 'string' }, features: { type: 'array', items: { type: 'string' } } },
      },
      recoveryStats: {
        type: 'object',
        required: ['total', 'recovered', 'connected', 'failed', 'qr_required'],
        properties: { total: count, recovered: count, connected: count, failed: count, qr_required: count },
      },
      lastActivity: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  sessionStatus: {
    type: 'object',
    required: ['sessionId', 'event', 'status', 'timestamp', 'workerId'],
    properties: { idempotencyKey: { type: 'string', minLength: 1, maxLength: 512 }, sessionId: { type: 'string' }, event: { type: 'string', minLength: 1 }, status: canonical, timestamp: iso, workerId: { type: 'string' }, reason: { type: 'string' } },
    allOf: [
      { if: { properties: { event: { const: 'recovery_failed' } } }, then: { required: ['reason'], properties: { reason: { type: 'string', minLength: 1 } } } },
      {
        // issue 19 §1: the code to type on the phone, for the phone that asked, and until when
        if: { properties: { event: { const: 'pairing_code' } } },
        then: {
          required: ['pairingCode', 'pairingCodeExpiresAt', 'phoneNumber'],
          properties: { status: { const: 'pairing_code_required' }, pairingCode: { type: 'string', pattern: '^[0-9A-Z]{8}$' }, pairingCodeExpiresAt: iso, phoneNumber: { type: 'string', pattern: '^\\d{7,15}$' } },
        },
      },
    ],
  },
  messageStatus: {
    type: 'object',
    required: ['sessionId', 'workerId', 'messageId', 'status', 'timestamp'],
    properties: {
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 512 },
      sessionId: { type: 'string' },
      workerId: { type: 'string' },
      messageId: { type: 'string', minLength: 1 },
      status: { enum: ['pending', 'sent', 'delivered', 'read', 'failed'] },
      timestamp: iso,
    },
  },
  messages: {
    type: 'object',
    required: ['sessionId', 'workerId', 'messages'],
    properties: {
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 512 },
      sessionId: { type: 'string' },
      workerId: { type: 'string' },
      messages: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['id', 'from', 'timestamp', 'type'],
          properties: {
            id: { type: 'string' },
            from: { type: 'string' },
            timestamp: iso,
            type: { type: 'string' },
            text: { type: 'string' },
            pushName: { type: 'string' },
            offline: { type: 'boolean', const: true },
            // issue 14 §4: a downloadable reference to a stored incoming medium
            media: {
              type: 'object',
              additionalProperties: false,
              required: ['mimetype', 'size', 'sha256', 'url'],
              properties: {
                mimetype: { type: 'string', pattern: '^[a-z0-9.+-]+/[A-Za-z0-9.+=; -]+$' },
                size: { type: 'integer', minimum: 0 },
                sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                url: { type: 'string', format: 'uri' },
              },
            },
            mediaError: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
          },
        },
      },
    },
  },
} as const;

const WHATSAM_STATUS = { enum: ['INIT', 'QR_REQUIRED', 'CONNECTED', 'DISCONNECTED', 'RECONNECTING', 'ERROR'] } as const;
const whatsamPhone = { type: 'string', pattern: '^\\+?[1-9]\\d{1,14}$' } as const;
const workerIdW = { type: 'string', pattern: '^[a-zA-Z0-9_-]{3,50}$' } as const;
const closed = { additionalProperties: false } as const;

export const whatsamSchemas = {
  register: {
    type: 'object',
    ...closed,
    required: ['workerId', 'endpoint', 'maxSessions', 'description', 'version', 'environment'],
    properties: {
      workerId: workerIdW,
      endpoint: { type: 'string', format: 'uri', pattern: '^https?://' },
      maxSessions: { type: 'integer', minimum: 1, maximum: 1000 },
      description: { type: 'string', maxLength: 255 },
      version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
      environment: { enum: ['DEVELOPMENT', 'STAGING', 'TESTING', 'PRODUCTION'] },
    },
  },
  /** Its `worker-heartbeat` webhook (webhook.validation.js `workerHeartbeatSchema`). */
  workerHeartbeat: {
    type: 'object',
    ...closed,
    required: ['workerId', 'status'],
    properties: {
      workerId: { type: 'string', minLength: 1, maxLength: 50, pattern: '^[a-zA-Z0-9_-]+$' },
      status: { enum: ['ONLINE', 'OFFLINE', 'MAINTENANCE'] },
      sessionCount: { type: 'integer', minimum: 0, maximum: 10000 },
      cpuUsage: { type: 'number', minimum: 0, maximum: 100 },
      memoryUsage: { type: 'number', minimum: 0, maximum: 100 },
      uptime: { type: 'integer', minimum: 0 },
      activeConnections: { type: 'integer', minimum: 0, maximum: 10000 },
      timestamp: { type: 'string', format: 'date-time' },
    },
  },
  unregister: {
    type: 'object',
    ...closed,
    required: ['workerId', 'endpoint'],
    properties: { workerId: workerIdW, endpoint: { type: 'string', format: 'uri' } },
  },
  recovery: {
    type: 'object',
    ...closed,
    required: ['recoveryResults', 'totalSessions', 'successfulRecoveries', 'failedRecoveries'],
    properties: {
      recoveryResults: {
        type: 'array',
        items: {
          type: 'object',
          ...closed,
          required: ['sessionId', 'status'],
          properties: { sessionId: { type: 'string' }, status: { enum: ['SUCCESS', 'FAILED', 'SKIPPED'] }, error: { type: 'string' }, recoveredAt: iso },
        },
      },
      totalSessions: count,
      successfulRecoveries: count,
      failedRecoveries: count,
    },
  },
  heartbeat: {
    type: 'object',
    ...closed,
    required: ['sessions'],
    properties: {
      sessions: {
        type: 'array',
        items: {
          type: 'object',
          ...closed,
          required: ['sessionId', 'status'],
          properties: {
            sessionId: { type: 'string', minLength: 1, maxLength: 100 },
            status: WHATSAM_STATUS,
            phoneNumber: whatsamPhone,
            displayName: { type: 'string', minLength: 1, maxLength: 100 },
            lastActivity: iso,
          },
        },
      },
      metrics: {
        type: 'object',
        ...closed,
        properties: { cpuUsage: percent, memoryUsage: percent, uptime: count, messageCount: count, totalSessions: count, activeSessions: count },
      },
      lastActivity: iso,
    },
  },
  sessionStatus: {
    type: 'object',
    ...closed,
    required: ['sessionId', 'status'],
    properties: {
      // Not in its Joi schema: the real backend strips it (stripUnknown), so it is allowed here.
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 512 },
      sessionId: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,100}$' },
      status: WHATSAM_STATUS,
      qrCode: { type: 'string', minLength: 1, maxLength: 2000 },
      phoneNumber: whatsamPhone,
      displayName: { type: 'string', minLength: 1, maxLength: 100 },
      workerId: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,50}$' },
      timestamp: iso,
    },
  },
  messageStatus: {
    type: 'object',
    ...closed,
    required: ['sessionId', 'messageId', 'status'],
    properties: {
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 512 },
      sessionId: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,100}$' },
      messageId: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,100}$' },
      status: { enum: ['PENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED'] },
      timestamp: iso,
      deliveredAt: iso,
      readAt: iso,
      errorMessage: { type: 'string', maxLength: 500 },
    },
  },
} as const;

/** Paths (JSON pointer style) of every null inside a value; whatsam rejects all of them. */
export function nullPaths(value: unknown, path = ''): string[] {
  if (value === null) return [path || '/'];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullPaths(v, `${path}/${i}`));
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => nullPaths(v, `${path}/${k}`));
  return [];
}

/** Paths (JSON pointer style) of every object key inside a value (to see what a strip removed). */
export function keyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${path}/${i}`));
  if (value !== null && typeof value === 'object') return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [`${path}/${k}`, ...keyPaths(v, `${path}/${k}`)]);
  return [];
}
