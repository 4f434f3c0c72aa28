import { WorkerError } from './errors.js';

/**
 * Session ids become folder names and object keys, so they are validated before any path or key
 * is built. The pattern admits no dots or slashes: `../x` can never escape `DATA_DIR`.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SESSION_ID_PATTERN_SOURCE = '^[A-Za-z0-9_-]{1,64}$';

export function isValidSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

export function assertSessionId(value: unknown): string {
  if (!isValidSessionId(value)) {
    throw new WorkerError('INVALID_SESSION_ID', `invalid session id ${JSON.stringify(String(value)).slice(0, 80)}: expected [A-Za-z0-9_-]{1,64}`);
  }
  return value;
}
