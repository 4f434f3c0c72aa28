/**
 * The event stream's API: dead letters of the outbox (list, replay, discard) and the client
 * webhook's body (documented as an OpenAPI 3.1 `webhooks` entry, see docs.ts).
 */
const ISO = { type: 'string', format: 'date-time' } as const;

// Query strings and path parameters are strings (the server never coerces types): digits only.
export const DEAD_LETTER_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'string', pattern: '^(?:[1-9][0-9]{0,2}|1000)$', description: '1-1000, default 100' },
    offset: { type: 'string', pattern: '^(?:0|[1-9][0-9]{0,8})$', description: 'default 0' },
  },
} as const;

export interface DeadLetterQuery {
  limit?: string;
  offset?: string;
}

const DEAD_LETTER = {
  type: 'object',
  required: ['id', 'lane', 'sink', 'kind', 'sessionId', 'idempotencyKey', 'attempts', 'lastError', 'createdAt', 'deadAt', 'event'],
  properties: {
    id: { type: 'integer', description: 'outbox sequence number; use it to replay or discard' },
    lane: { type: 'string', description: '<sink>:<kind>, e.g. backend:messages' },
    sink: { type: 'string', enum: ['backend', 'webhook'] },
    kind: { type: 'string', enum: ['session-status', 'messages', 'message-status'] },
    sessionId: { type: 'string' },
    idempotencyKey: { type: 'string', description: 'sent as the Idempotency-Key header and in the body; unchanged by a replay' },
    attempts: { type: 'integer', description: '4xx answers received' },
    lastError: { type: ['string', 'null'] },
    createdAt: ISO,
    deadAt: { type: ['string', 'null'], format: 'date-time' },
    event: { type: 'object', additionalProperties: true, description: 'the event as the worker holds it (mapped to the sink\'s body when sent)' },
  },
} as const;

export const DEAD_LETTER_LIST = {
  type: 'object',
  required: ['deadLetters', 'total'],
  properties: { deadLetters: { type: 'array', items: DEAD_LETTER }, total: { type: 'integer', minimum: 0 } },
} as const;

export const REPLAY_BODY = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { ids: { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: { type: 'integer', minimum: 1 }, description: 'dead letters to replay; omit for all' } },
} as const;

export const REPLAY_DATA = {
  type: 'object',
  required: ['replayed'],
  properties: { replayed: { type: 'integer', minimum: 0, description: 'dead letters moved back to their lanes' } },
} as const;

export const DEAD_LETTER_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,14}$', description: 'a dead letter id' } },
} as const;

export const DISCARD_DATA = { type: 'object', required: ['id', 'discarded'], properties: { id: { type: 'integer' }, discarded: { type: 'boolean', const: true } } } as const;

/** A stored incoming medium (issue 14 §4); its `url` is GET /api/sessions/{id}/media/{messageId} on this worker. */
export const INCOMING_MEDIA = {
  type: 'object',
  description: 'image, video, audio, document or sticker, downloaded from WhatsApp, checked (MAC, hashes) and stored; download with the bearer token at `url`',
  required: ['mimetype', 'size', 'sha256', 'url'],
  properties: {
    mimetype: { type: 'string' },
    size: { type: 'integer', minimum: 0, description: 'bytes of the decrypted medium' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the decrypted medium, hex' },
    url: { type: 'string', description: 'GET /api/sessions/{id}/media/{messageId} on this worker (WORKER_ENDPOINT)' },
  },
} as const;

export const INCOMING_MEDIA_ERROR = {
  type: 'string',
  description: 'set instead of `media` when the medium could not be stored: MEDIA_TOO_LARGE, MEDIA_FETCH_FAILED, MEDIA_FETCH_TIMEOUT, MEDIA_INVALID or a storage error code; the message itself is delivered',
} as const;

/** Body of every WEBHOOK_URL call (supervisor/backend/profiles/webhook.ts builds it). */
export const WEBHOOK_BODY = {
  type: 'object',
  required: ['id', 'event', 'sessionId', 'workerId', 'timestamp', 'data'],
  properties: {
    id: { type: 'string', description: 'idempotency key, equal to the Idempotency-Key header: drop an event whose id you already processed' },
    event: { type: 'string', enum: ['session.status', 'message', 'message.status'] },
    sessionId: { type: 'string' },
    workerId: { type: 'string' },
    timestamp: { ...ISO, description: 'when the event happened' },
    data: {
      description: 'session.status: {event, status, phoneNumber, reason?, qr?, qrExpiresAt?, pairingCode?, pairingCodeExpiresAt?} (event `pairing_code`: a code to type on the phone `phoneNumber`); message: {id, from, timestamp, type, text?, pushName?, offline?, media?: {mimetype, size, sha256, url}, mediaError?, ...}; message.status: {messageId, remoteJid, status}',
      oneOf: [
        { type: 'object', required: ['event', 'status', 'phoneNumber'], properties: { event: { type: 'string' }, status: { type: 'string' }, phoneNumber: { type: ['string', 'null'] }, reason: { type: 'string' }, qr: { type: 'string' }, qrExpiresAt: { type: ['string', 'null'] }, pairingCode: { type: 'string' }, pairingCodeExpiresAt: { type: ['string', 'null'] } } },
        { type: 'object', required: ['id', 'from', 'timestamp', 'type'], properties: { id: { type: 'string' }, from: { type: 'string' }, timestamp: ISO, type: { type: 'string' }, text: { type: 'string' }, pushName: { type: 'string' }, offline: { type: 'boolean', const: true, description: 'WhatsApp held this message while the session was down and delivered it at the next login' }, media: INCOMING_MEDIA, mediaError: INCOMING_MEDIA_ERROR } },
        { type: 'object', required: ['messageId', 'remoteJid', 'status'], properties: { messageId: { type: 'string' }, remoteJid: { type: 'string' }, status: { type: 'string', enum: ['pending', 'sent', 'delivered', 'read', 'failed'] } } },
      ],
    },
  },
} as const;

const header = (name: string, description: string, required = true) => ({ name, in: 'header', required, schema: { type: 'string' }, description });

/** The OpenAPI 3.1 `webhooks` object: what WEBHOOK_URL receives. */
export const WEBHOOK_DOCS = {
  event: {
    post: {
      summary: 'One event of the stream, POSTed to WEBHOOK_URL (at least once, in order per kind)',
      description:
        'Delivered from the durable outbox: 2xx settles the event; 5xx, timeouts and 429 (Retry-After honoured) are retried with capped backoff; other 4xx are retried OUTBOX_REJECT_RETRIES times, then kept as a dead letter (GET /api/events/dead-letters). De-duplicate by `Idempotency-Key`.',
      parameters: [
        header('Idempotency-Key', 'stable per event (message: <sessionId>:<messageId>); the same as body.id'),
        header('X-Webhook-Event', 'session.status, message or message.status'),
        header('X-Webhook-Signature', 'sha256=<hex HMAC-SHA256 of the raw body with WEBHOOK_SECRET>; absent when no secret is set', false),
      ],
      requestBody: { required: true, content: { 'application/json': { schema: WEBHOOK_BODY } } },
      responses: { '2xx': { description: 'accepted' } },
    },
  },
} as const;
