import { StorageError, StorageErrorCode } from '../errors.js';

/**
 * Turns whatever the `minio` client or Node's http stack threw into a `StorageError` whose code the
 * host can act on and whose `retryable` flag drives p-retry: network errors and 5xx are retried,
 * 4xx are not. Pure, so every branch has a unit test.
 */

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'EADDRNOTAVAIL', 'ESOCKETTIMEDOUT',
]);
/** S3 error codes for server-side trouble (returned with 5xx). */
const SERVER_S3_CODES = new Set(['InternalError', 'ServiceUnavailable', 'SlowDown', 'RequestTimeout', 'ServerError', 'OperationAborted']);
/** S3 error codes meaning "these credentials are not accepted here". */
const AUTH_S3_CODES = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'InvalidToken', 'ExpiredToken', 'InvalidSecurity', 'AccountProblem']);

export interface ClassifyContext {
  /** What was being done, e.g. `get sessions/abc/pointer.json`. */
  action: string;
  /** Server and bucket, for the message. */
  location: string;
}

export function classifyS3Error(err: unknown, ctx: ClassifyContext): StorageError {
  if (err instanceof StorageError) return err;
  const code = errorField(err, 'code');
  const message = errorField(err, 'message') ?? String(err);
  const where = `${ctx.action} at ${ctx.location}`;

  if (code && NETWORK_CODES.has(code)) {
    return new StorageError(StorageErrorCode.UNAVAILABLE, `storage unreachable (${code}) during ${where}`, { cause: err, retryable: true });
  }
  // With its own retries off, the minio client reports a 5xx/429/408 status as this plain message.
  const status = /Retryable HTTP status: (\d{3})/.exec(message);
  if (status) {
    return new StorageError(StorageErrorCode.UNAVAILABLE, `storage answered HTTP ${status[1]} during ${where}`, { cause: err, retryable: true, details: { status: Number(status[1]) } });
  }
  if (/socket hang up|premature close|aborted/i.test(message)) {
    return new StorageError(StorageErrorCode.UNAVAILABLE, `storage connection dropped during ${where}`, { cause: err, retryable: true });
  }
  if (code && SERVER_S3_CODES.has(code)) {
    return new StorageError(StorageErrorCode.UNAVAILABLE, `storage server error ${code} during ${where}`, { cause: err, retryable: true, details: { s3Code: code } });
  }
  if (code && AUTH_S3_CODES.has(code)) {
    return new StorageError(
      StorageErrorCode.AUTH_FAILED,
      `storage rejected the credentials (${code}) during ${where}: check MINIO_ACCESS_KEY, MINIO_SECRET_KEY and MINIO_REGION`,
      { cause: err, details: { s3Code: code } },
    );
  }
  if (code) {
    return new StorageError(StorageErrorCode.BAD_REQUEST, `storage refused ${where}: ${code}: ${message}`, { cause: err, details: { s3Code: code } });
  }
  return new StorageError(StorageErrorCode.UNAVAILABLE, `storage failed during ${where}: ${message}`, { cause: err, retryable: false });
}

/** 404-like answers that mean "no such object" (HEAD gives NotFound, GET gives NoSuchKey). */
export function isNotFound(err: unknown): boolean {
  const code = errorField(err, 'code');
  return code === 'NoSuchKey' || code === 'NotFound';
}

export function isNoSuchBucket(err: unknown): boolean {
  return errorField(err, 'code') === 'NoSuchBucket';
}

function errorField(err: unknown, field: 'code' | 'message'): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const value = (err as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
