import { WorkerError } from '../../src/errors.js';

/**
 * Pure: the `sessions` member of one of the supervisor's JSON files (registry.json,
 * session-settings.json), unchecked; text that is not JSON is the file's own `code`, naming it.
 * Each file checks the member's shape itself: one holds a list, the other a map.
 */
export function sessionsMember(text: string, where: string, code: 'REGISTRY_CORRUPT' | 'SESSION_SETTINGS_CORRUPT'): unknown {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new WorkerError(code, `${where} is not valid JSON`, { cause: err });
  }
  return (data as { sessions?: unknown } | null)?.sessions;
}
