/**
 * What a live session host really runs, read from its /proc/<pid>/cmdline: the entry it was
 * forked with and the Node flags in effect (the supervisor's execArgv plus HOST_NODE_FLAGS), so
 * the report says what ran, and the baseline and warm hosts can run with the same flags.
 */
import { readFileSync } from 'node:fs';

export interface HostCommand {
  entry: string;
  /** Node flags of the host, without the test-only simulator preload (`--import <file>`). */
  nodeFlags: string[];
}

/** Pure: argv of a forked host (`node [flags] <entry> --session <id>`; the title may replace argv[0]). */
export function parseHostCmdline(args: readonly string[]): HostCommand | null {
  const entryAt = args.findIndex((a) => /session-host\.mjs$|session-host\/main\.js$/.test(a));
  if (entryAt < 0) return null;
  const flags: string[] = [];
  for (let i = 1; i < entryAt; i++) {
    if (args[i] === '--import') {
      i++;
      continue;
    }
    flags.push(args[i]!);
  }
  return { entry: args[entryAt]!, nodeFlags: flags };
}

export function hostCommandOf(pid: number): HostCommand | null {
  try {
    return parseHostCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== ''));
  } catch {
    return null;
  }
}
