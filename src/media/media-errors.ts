import { WorkerError } from '../errors.js';

/**
 * Stable codes of media handling, with the HTTP status the API answers. The URL codes (issue 16
 * §3) are client errors: the URL, not the worker, is at fault, and nothing reached WhatsApp. The
 * incoming codes (issue 14 §4) name why a contact's medium was not stored (`mediaError`) or why
 * the media route has nothing to serve.
 */
export const MEDIA_ERROR_STATUS = {
  /** Not an http(s) URL. */
  MEDIA_URL_INVALID: 400,
  /** The URL (or a redirect, or what its name resolves to) is a loopback/private/link-local/CGNAT/metadata address. */
  MEDIA_URL_BLOCKED: 400,
  /** The body is larger than MEDIA_MAX_BYTES. */
  MEDIA_TOO_LARGE: 413,
  /** The media server answered an error, could not be reached, or redirected too often. */
  MEDIA_FETCH_FAILED: 422,
  /** The fetch took longer than MEDIA_FETCH_TIMEOUT_MS. */
  MEDIA_FETCH_TIMEOUT: 422,
  /** An incoming medium failed its MAC or hashes (never served; the message carries the code). */
  MEDIA_INVALID: 502,
  /** No stored medium for that session and message id. */
  MEDIA_NOT_FOUND: 404,
} as const;

export type MediaErrorCode = keyof typeof MEDIA_ERROR_STATUS;

export function mediaError(code: MediaErrorCode, message: string, details?: Record<string, unknown>): WorkerError {
  return new WorkerError(code, message, details === undefined ? {} : { details });
}
