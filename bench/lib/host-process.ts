/**
 * What a live session host really runs, from its own `session host boot cost` line (its process
 * title overwrites argv in /proc/<pid>/cmdline): the entry it was forked with and the Node flags
 * in effect (the supervisor's execArgv plus HOST_NODE_FLAGS), so the report says what ran, and
 * the baseline and warm hosts run with the same flags.
 */
import type { BootCostRecord } from './worker-process.js';

export interface HostCommand {
  entry: string;
  /** Node flags of the host, without the test-only simulator preload (`--import <file>`). */
  nodeFlags: string[];
  /** Node version the host ran on (HOST_NODE_PATH may differ from the supervisor's). */
  node: string | null;
}

/** Pure: the host's entry and execArgv without the test-only simulator preload (`--import <file>`). */
export function hostCommandOf(record: BootCostRecord | undefined): HostCommand | null {
  if (!record?.entry || !record.execArgv) return null;
  const flags: string[] = [];
  for (let i = 0; i < record.execArgv.length; i++) {
    const a = record.execArgv[i]!;
    if (a === '--import') {
      i++;
      continue;
    }
    if (a.startsWith('--import=')) continue;
    flags.push(a);
  }
  return { entry: record.entry, nodeFlags: flags, node: record.node ?? null };
}
