import { isValidSessionId, SESSION_ID_RULE } from '../../session-id.js';

export const USAGE = `usage: npm run storage -- <verify|import-legacy> (--all | <sessionId>...) [--concurrency N]

  verify          download and fully check every stored generation (checksums, keys, session ids)
  import-legacy   import the original worker's per-file layout as generation 1 where no snapshot exists
  --all           every session found in storage
  --concurrency   sessions processed at once (default 4)

Reads the same environment as the worker (STORAGE_DRIVER, MINIO_*, DATA_DIR, AUTH_ENCRYPTION_KEY...).`;

export interface CliArgs {
  command: 'verify' | 'import-legacy';
  all: boolean;
  sessionIds: string[];
  concurrency: number;
}

export class UsageError extends Error {}

/** Pure argv parsing, so every mistake an operator can make has a test and a clear line. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'verify' && command !== 'import-legacy') {
    throw new UsageError(command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`);
  }
  let all = false;
  let concurrency = 4;
  const sessionIds: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (arg === '--all') all = true;
    else if (arg === '--concurrency') {
      const value = Number(rest[++i]);
      if (!Number.isInteger(value) || value < 1 || value > 256) throw new UsageError('--concurrency needs an integer from 1 to 256');
      concurrency = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (!isValidSessionId(arg)) throw new UsageError(`invalid session id ${JSON.stringify(arg)}: expected ${SESSION_ID_RULE}`);
    else sessionIds.push(arg);
  }
  if (all === (sessionIds.length > 0)) throw new UsageError('give either --all or one or more session ids');
  return { command, all, sessionIds, concurrency };
}
