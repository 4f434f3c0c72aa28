import { WorkerError } from '../src/errors.js';
import { SPARE_ARG } from '../src/ipc/host-argv.js';
import { IPC_PROTOCOL_VERSION, type HostInit } from '../src/ipc/protocol.js';
import { parseProxyUrl } from '../src/proxy/proxy-url.js';
import { isValidSessionId, SESSION_ID_RULE } from '../src/session-id.js';

function isValidProxyUrl(value: unknown): boolean {
  try {
    parseProxyUrl(value);
    return true;
  } catch {
    return false;
  }
}

// The argv contract itself lives in src/ipc/host-argv.ts (the supervisor forks with it).
export { SPARE_ARG, SPARE_TITLE, SPARE_TITLE_ROOM } from '../src/ipc/host-argv.js';

/** What a host is before `init`: one session's host, or a spare waiting to be given one. */
export type StartupRole = { kind: 'session'; sessionId: string } | { kind: 'spare' };

/** `--session <id>` or `--spare` from argv (the only thing a host learns before `init`; never a secret). */
export function startupRoleFromArgv(argv: readonly string[]): StartupRole {
  if (argv.includes(SPARE_ARG)) return { kind: 'spare' };
  return { kind: 'session', sessionId: sessionIdFromArgv(argv) };
}

/** `--session <id>` from argv. */
export function sessionIdFromArgv(argv: readonly string[]): string {
  const i = argv.indexOf('--session');
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (!isValidSessionId(value)) throw new WorkerError('INVALID_SESSION_ID', `usage: main.js --session <id> | ${SPARE_ARG} (${SESSION_ID_RULE})`);
  return value;
}

/**
 * Checks an `init` message before anything acts on it. `sessionId` is the one from argv; a spare
 * (undefined) takes the init's, which must then be a valid session id.
 */
export function validateInit(message: HostInit, sessionId: string | undefined): HostInit {
  const problems: string[] = [];
  if (message.protocol !== IPC_PROTOCOL_VERSION) problems.push(`protocol ${String(message.protocol)} (expected ${IPC_PROTOCOL_VERSION})`);
  if (sessionId === undefined) {
    if (!isValidSessionId(message.sessionId)) problems.push(`sessionId invalid (${SESSION_ID_RULE})`);
  } else if (message.sessionId !== sessionId) problems.push('sessionId differs from --session');
  if (typeof message.workerId !== 'string' || message.workerId.length === 0) problems.push('workerId missing');
  if (typeof message.dataDir !== 'string' || message.dataDir.length === 0) problems.push('dataDir missing');
  if (!message.storage || (message.storage.driver !== 'local' && message.storage.driver !== 'minio')) problems.push('storage.driver must be local or minio');
  if (!Number.isInteger(message.qrMaxAttempts) || message.qrMaxAttempts < 1) problems.push('qrMaxAttempts must be a positive integer');
  if (message.badSessionMaxAttempts !== undefined && (!Number.isInteger(message.badSessionMaxAttempts) || message.badSessionMaxAttempts < 1)) problems.push('badSessionMaxAttempts must be a positive integer');
  if (message.logoutTimeoutMs !== undefined && (!Number.isInteger(message.logoutTimeoutMs) || message.logoutTimeoutMs < 1)) problems.push('logoutTimeoutMs must be a positive integer');
  if (!Number.isInteger(message.storageTimeoutMs) || message.storageTimeoutMs < 1) problems.push('storageTimeoutMs must be a positive integer');
  if (message.sendConfirmTimeoutMs !== undefined && (!Number.isInteger(message.sendConfirmTimeoutMs) || message.sendConfirmTimeoutMs < 1)) problems.push('sendConfirmTimeoutMs must be a positive integer');
  if (!Array.isArray(message.encryptionKeys)) problems.push('encryptionKeys must be an array');
  if (message.waWebsocketUrl !== undefined && !/^wss?:\/\//.test(message.waWebsocketUrl)) problems.push('waWebsocketUrl must be ws:// or wss://');
  if (message.proxy !== undefined && !isValidProxyUrl(message.proxy)) problems.push('proxy must be an http, https, socks5 or socks5h URL with host and port');
  if (problems.length > 0) throw new WorkerError('INIT_INVALID', `invalid init message: ${problems.join('; ')}`);
  return message;
}
