/**
 * Polling with a deadline, for state that lives in another process (the worker's HTTP API).
 * Every wait has a timeout and a description, so nothing the benchmark or demo does can hang.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class WaitTimeout extends Error {
  readonly code = 'WAIT_TIMEOUT';
}

/** Calls `probe` every `intervalMs` until it returns a value other than undefined. */
export async function pollUntil<T>(probe: () => Promise<T | undefined> | T | undefined, options: { timeoutMs: number; intervalMs?: number; what: string; last?: () => string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new WaitTimeout(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${options.last ? `; last: ${options.last()}` : ''}`);
    await sleep(options.intervalMs ?? 100);
  }
}

export { sleep };
