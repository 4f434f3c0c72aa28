import { setTimeout as delay } from 'node:timers/promises';
import { WorkerError } from './errors.js';

/**
 * The worker's one home for time limits and abortable waits. Two kinds of deadline:
 * - `withAbortDeadline`: the work takes a signal (storage, HTTP); at the deadline the signal aborts,
 *   so a late answer can never land after the caller moved on (after a retry, a newer write).
 * - `withDeadline` / `settledWithin`: the work cannot be cancelled (a Baileys call); the caller
 *   stops waiting, the work runs on and its late outcome is ignored.
 */

/**
 * A wait that ran out of time, where the waiter has no error of its own (an actor's `until`): a
 * caller that treats a deadline differently from a failure tests `instanceof DeadlineError` and
 * lets every other error through as what it is.
 */
export class DeadlineError extends WorkerError<'WAIT_TIMEOUT'> {
  constructor(what: string, ms: number) {
    super('WAIT_TIMEOUT', `timed out after ${ms} ms waiting for ${what}`);
    this.name = 'DeadlineError';
  }
}

/** Settles like `work`, or rejects with `onTimeout()` once `ms` have passed (the work itself is not cancelled). */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Runs `fn` with a signal that aborts after `ms`; then rejects with `onTimeout()`, which is also
 * the abort reason. `fn` must hand the signal to whatever does the I/O.
 */
export function withAbortDeadline<T>(fn: (signal: AbortSignal) => Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = onTimeout();
      controller.abort(error);
      reject(error);
    }, ms);
    fn(controller.signal).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export type Settled<T> = { done: true; ok: true; value: T } | { done: true; ok: false; error: unknown } | { done: false };

/** How `work` stands after at most `ms`, without abandoning it (it may still settle later). */
export function settledWithin<T>(work: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.then(
      (value): Settled<T> => ({ done: true, ok: true, value }),
      (error: unknown): Settled<T> => ({ done: true, ok: false, error }),
    ),
    new Promise<Settled<T>>((resolve) => {
      timer = setTimeout(() => resolve({ done: false }), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Sleeps; resolves false instead of throwing when `signal` aborts (callers then just return). */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false; // the only rejection of an abortable delay is the abort itself
  }
}
