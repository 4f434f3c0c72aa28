import { createHash } from 'node:crypto';
import { WorkerError } from './errors.js';

/**
 * Session ids come from the backends. The whatsam backend names sessions
 * `<userId>-<name lowercased, spaces → "-">-<ms>` (about 150 characters at most), so an id may be
 * up to 160 characters of anything but control characters, `/` and `\`. Ids are validated before
 * any path or key is built, and never used raw as one: `sessionFileName` maps each id to a name
 * that is safe as a folder name and as an object key segment (see below).
 */
export const SESSION_ID_MAX_LENGTH = 160;

/**
 * One source for the JSON schema (ajv compiles it with the `u` flag, so `{1,160}` counts code
 * points, as `maxLength` does) and for `isValidSessionId`. Excluded: C0 and C1 control characters,
 * DEL, `/`, `\`, and lone UTF-16 surrogates (in `u` mode `[\uD800-\uDFFF]` matches only unpaired
 * halves; they have no UTF-8 form, so no name could map back to them).
 */
export const SESSION_ID_PATTERN_SOURCE = '^[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff/\\\\]{1,160}$';
export const SESSION_ID_PATTERN = new RegExp(SESSION_ID_PATTERN_SOURCE, 'u');
export const SESSION_ID_RULE = 'ids of 1 to 160 characters without control characters, "/" or "\\"';

export function isValidSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}

export function assertSessionId(value: unknown): string {
  if (!isValidSessionId(value)) {
    throw new WorkerError('INVALID_SESSION_ID', `invalid session id ${JSON.stringify(String(value)).slice(0, 80)}: expected ${SESSION_ID_RULE}`);
  }
  return value;
}

/** Characters kept as they are in a file name; round 1's whole id alphabet. */
const SAFE_CHAR = /[A-Za-z0-9_-]/;
const SAFE_ID = /^[A-Za-z0-9_-]+$/;
/** A name's length stays far below NAME_MAX (255 bytes) with room for `.lock` and temp suffixes. */
const MAX_ESCAPED_NAME = 200;
const HASHED_PREFIX = 96;
const HASH_MARK = '~~';

/**
 * The folder name and object-key segment of a session (`DATA_DIR/sessions/<name>/`,
 * `DATA_DIR/locks/<name>.lock`, `sessions/<name>/…`). The result only holds `[A-Za-z0-9_~-]`: never
 * a separator, a dot, a control character, or anything an S3 server could decode.
 *
 * - an id of `[A-Za-z0-9_-]` is its own name (every round-1 folder and key stays where it is);
 * - otherwise each UTF-8 byte of every other character becomes `~XX` (upper-case hex), which is
 *   reversible (`sessionIdOfFileName`) and cannot collide with a plain id (those hold no `~`);
 * - an escaped name longer than 200 characters (many non-ASCII characters) becomes its first
 *   escapes-intact part, `~~` and 32 hex digits of the id's SHA-256. That form is not reversible
 *   from the name; the id is then read from the session's pointer object (snapshot-store.ts).
 */
export function sessionFileName(sessionId: string): string {
  const id = assertSessionId(sessionId);
  if (SAFE_ID.test(id)) return id;
  let escaped = '';
  for (const ch of id) {
    if (SAFE_CHAR.test(ch)) escaped += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) escaped += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (escaped.length <= MAX_ESCAPED_NAME) return escaped;
  let prefix = escaped.slice(0, HASHED_PREFIX);
  // Never cut an escape in half: drop a trailing `~` or `~X`.
  const cut = prefix.lastIndexOf('~');
  if (cut >= 0 && cut > prefix.length - 3) prefix = prefix.slice(0, cut);
  return `${prefix}${HASH_MARK}${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 32)}`;
}

const ESCAPED_NAME = /^(?:[A-Za-z0-9_-]|~[0-9A-F]{2})+$/;

/**
 * The session id a file name stands for; `null` for a name no id maps to, and for the hashed form
 * (`hashed: true`), whose id only its pointer knows.
 */
export function sessionIdOfFileName(name: string): { id: string | null; hashed: boolean } {
  if (name.includes(HASH_MARK)) return { id: null, hashed: /^(?:[A-Za-z0-9_-]|~[0-9A-F]{2})*~~[0-9a-f]{32}$/.test(name) };
  if (SAFE_ID.test(name)) return { id: name, hashed: false };
  if (!ESCAPED_NAME.test(name)) return { id: null, hashed: false };
  const bytes: number[] = [];
  for (let i = 0; i < name.length; ) {
    if (name[i] === '~') {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(name.charCodeAt(i));
      i += 1;
    }
  }
  const buf = Buffer.from(bytes);
  const id = new TextDecoder('utf-8', { fatal: false }).decode(buf);
  // Only the canonical name of a valid id counts (rejects bad UTF-8 and escaped safe characters).
  return isValidSessionId(id) && sessionFileName(id) === name ? { id, hashed: false } : { id: null, hashed: false };
}
