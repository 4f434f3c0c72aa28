import { describe, expect, it } from 'vitest';
import { classifyS3Error, isNotFound } from '../../src/storage/backend/classify.js';

const ctx = { action: 'get sessions/abc/pointer.json', location: 'http://127.0.0.1:9000/b' };
const s3 = (code: string) => Object.assign(new Error(`${code} message`), { code });

describe('S3 error classification', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'STORAGE_UNAVAILABLE', true],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'STORAGE_UNAVAILABLE', true],
    [new Error('Request failed after 0 retries: Error: Retryable HTTP status: 503'), 'STORAGE_UNAVAILABLE', true],
    [new Error('socket hang up'), 'STORAGE_UNAVAILABLE', true],
    [s3('InternalError'), 'STORAGE_UNAVAILABLE', true],
    [s3('SlowDown'), 'STORAGE_UNAVAILABLE', true],
    [s3('InvalidAccessKeyId'), 'STORAGE_AUTH_FAILED', false],
    [s3('SignatureDoesNotMatch'), 'STORAGE_AUTH_FAILED', false],
    [s3('AccessDenied'), 'STORAGE_AUTH_FAILED', false],
    [s3('InvalidBucketName'), 'STORAGE_BAD_REQUEST', false],
    [s3('MethodNotAllowed'), 'STORAGE_BAD_REQUEST', false],
  ])('%s → %s (retryable %s)', (err, code, retryable) => {
    const out = classifyS3Error(err, ctx);
    expect(out.code).toBe(code);
    expect(out.retryable).toBe(retryable);
    expect(out.message).toContain('127.0.0.1:9000');
  });

  it('names the variables to check on an auth failure', () => {
    expect(classifyS3Error(s3('SignatureDoesNotMatch'), ctx).message).toMatch(/MINIO_ACCESS_KEY.*MINIO_SECRET_KEY/);
  });

  it('recognises 404s', () => {
    expect(isNotFound(s3('NoSuchKey'))).toBe(true);
    expect(isNotFound(s3('NotFound'))).toBe(true);
    expect(isNotFound(s3('NoSuchBucket'))).toBe(false);
  });
});
