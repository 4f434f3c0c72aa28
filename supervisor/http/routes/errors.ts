import { isWorkerErrorCode, type WorkerErrorCode } from '../../../src/error-codes.js';
import { WorkerError } from '../../../src/errors.js';
import { MEDIA_ERROR_STATUS } from '../../../src/media/media-errors.js';
import { HttpError } from '../http-error.js';

/**
 * HTTP status of each stable code the registry, an actor or a session host can throw at a
 * route. Their messages are built by this worker, so they are safe to show. Anything not listed
 * stays an internal error (500, fixed message).
 */
const STATUS_BY_CODE: Readonly<Partial<Record<WorkerErrorCode, number>>> = {
  INVALID_SESSION_ID: 400,
  INVALID_RECIPIENT: 400,
  INVALID_MESSAGE: 400,
  // A proxy URL an operator gave (issue 19 §2); the message never holds its credentials.
  PROXY_URL_INVALID: 400,
  SESSION_SETTINGS_WRITE_FAILED: 503,
  SESSION_SETTINGS_UNAVAILABLE: 503,
  // Pairing by phone-number code (issue 19 §1): the host's own check of the number, and the refusals.
  INVALID_PHONE_NUMBER: 400,
  ALREADY_LINKED: 409,
  SESSION_ENDED: 409,
  PAIRING_NOT_READY: 409,
  PAIRING_INTERRUPTED: 409,
  PAIRING_ATTEMPTS_EXHAUSTED: 429,
  SESSION_NOT_FOUND: 404,
  SESSION_NOT_CONNECTED: 409,
  APP_STATE_NOT_READY: 409,
  // The host's own answer when its socket closed between our check and the send.
  NOT_CONNECTED: 409,
  HOST_EXITED: 409,
  HOST_CHANNEL_CLOSED: 409,
  HOST_NOT_RUNNING: 409,
  MAX_SESSIONS_REACHED: 429,
  IDEMPOTENCY_KEY_REUSED: 422,
  // The host's number check (issue 19 §3): WhatsApp says the number has no account; nothing was sent.
  RECIPIENT_NOT_ON_WHATSAPP: 422,
  CONTACT_CHECK_FAILED: 502,
  SEND_FAILED: 502,
  SEND_INTERRUPTED: 502,
  ACTION_FAILED: 502,
  SHUTTING_DOWN: 503,
  QR_RENDER_FAILED: 503,
  SEND_TIMEOUT: 504,
  HOST_REQUEST_TIMEOUT: 504,
  // A media URL the host refused or could not fetch: nothing was sent.
  ...MEDIA_ERROR_STATUS,
};

/** Codes whose meaning for a client is "the session is not connected". */
const NOT_CONNECTED: ReadonlySet<WorkerErrorCode> = new Set(['NOT_CONNECTED', 'HOST_EXITED', 'HOST_CHANNEL_CLOSED', 'HOST_NOT_RUNNING']);

/** Pure: a thrown error as the HttpError the error handler renders (or unchanged when unknown). */
export function toHttpError(err: unknown): unknown {
  if (err instanceof HttpError || !(err instanceof WorkerError)) return err;
  // A subclass (BackendError) may carry codes of its own: none of them has an HTTP answer here.
  const thrown: string = err.code;
  if (!isWorkerErrorCode(thrown)) return err;
  const status = STATUS_BY_CODE[thrown];
  if (status === undefined) return err;
  const code = NOT_CONNECTED.has(thrown) ? 'SESSION_NOT_CONNECTED' : thrown;
  return new HttpError(status, code, err.message, err.details);
}

/** `mapped` for a synchronous check (body parsing) before any command runs. */
export function mappedSync<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    throw toHttpError(err);
  }
}

/** Runs a route's command and turns a known WorkerError into its HTTP answer. */
export async function mapped<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toHttpError(err);
  }
}
