import { DeadlineError } from '../../src/deadline.js';
import { WorkerError } from '../../src/errors.js';

/**
 * Awaitable predicates over a changing value (p-queue's `onIdle`/`onSizeLessThan` shape): tests
 * and the recovery runner wait on events, never on sleeps. `check()` is called after every change.
 */
export class Waiters<T> {
  private readonly list = new Set<{ test: (value: T) => boolean; resolve: (value: T) => void }>();

  constructor(private readonly current: () => T) {}

  until(test: (value: T) => boolean, options: { timeoutMs?: number; what?: string; signal?: AbortSignal } = {}): Promise<T> {
    const now = this.current();
    if (test(now)) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const entry = {
        test,
        resolve: (value: T) => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
      };
      const onAbort = (): void => {
        this.list.delete(entry);
        if (timer) clearTimeout(timer);
        reject(new WorkerError('WAIT_ABORTED', `stopped waiting for ${options.what ?? 'a condition'}`));
      };
      const ms = options.timeoutMs;
      if (ms !== undefined) {
        timer = setTimeout(() => {
          this.list.delete(entry);
          options.signal?.removeEventListener('abort', onAbort);
          reject(new DeadlineError(options.what ?? 'a condition', ms));
        }, ms);
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.list.add(entry);
    });
  }

  check(): void {
    if (this.list.size === 0) return;
    const value = this.current();
    for (const entry of [...this.list]) {
      if (entry.test(value)) {
        this.list.delete(entry);
        entry.resolve(value);
      }
    }
  }
}
