/**
 * Imported first by the session host's entry (a side effect on purpose: it must replace `console`
 * before any dependency runs). Every `console.*` line a dependency prints goes through
 * `formatConsoleArgs` (no key bytes, see redact-console.ts) to the host's pino logger at `debug`;
 * before a logger is attached the lines are dropped, never written raw. Installed by the entry
 * itself, not by a preload, so a bundled host has it too.
 */
import type { Logger } from '../../src/logger.js';
import { formatConsoleArgs } from './redact-console.js';

let sink: Logger | undefined;

/** Where redirected console lines go from now on (the host replaces its logger after `init`). */
export function attachConsoleLogger(logger: Logger): void {
  sink = logger.child({ module: 'console' });
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'dirxml'] as const;

function redirect(method: string) {
  return (...args: unknown[]): void => {
    if (!sink?.isLevelEnabled('debug')) return;
    sink.debug({ method }, formatConsoleArgs(args));
  };
}

for (const m of METHODS) (console as unknown as Record<string, unknown>)[m] = redirect(m);
(console as unknown as Record<string, unknown>).assert = (cond: unknown, ...args: unknown[]) => {
  if (!cond) redirect('assert')(...args);
};
