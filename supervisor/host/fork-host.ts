import { fork, type ChildProcess } from 'node:child_process';
import { SPARE_ARG, SPARE_TITLE_ROOM } from '../../src/ipc/host-argv.js';

/** How a session host process is forked; the same for a session's own host and for a spare. */
export interface ForkSettings {
  /** Compiled host entry (a fixture in tests). */
  hostModulePath: string;
  /** Node binary of the hosts (HOST_NODE_PATH); default: the supervisor's own. */
  execPath?: string | undefined;
  execArgv?: string[] | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Arguments for the host before its role (`--code-cache <dir>`, src/ipc/host-argv.ts). */
  hostArgs?: string[] | undefined;
}

/** Forks the host of one session (`--session <id>`: titled `wa-host:<id>` from its first line). */
export function forkSessionHost(settings: ForkSettings, sessionId: string): ChildProcess {
  return forkWith(settings, ['--session', sessionId]);
}

/**
 * Forks a spare (`--spare`): modules loaded, no session until its `init`. The padding argument
 * leaves room in argv for the `wa-host:<id>` title it takes then (src/ipc/host-argv.ts).
 */
export function forkSpareHost(settings: ForkSettings): ChildProcess {
  return forkWith(settings, [SPARE_ARG, SPARE_TITLE_ROOM]);
}

function forkWith(settings: ForkSettings, args: string[]): ChildProcess {
  return fork(settings.hostModulePath, [...(settings.hostArgs ?? []), ...args], {
    ...(settings.execPath === undefined ? {} : { execPath: settings.execPath }),
    execArgv: settings.execArgv ?? process.execArgv,
    env: settings.env ?? process.env,
    serialization: 'json',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
