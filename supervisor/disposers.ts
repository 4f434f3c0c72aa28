/**
 * One teardown for a composition (what `AsyncDisposableStack` is in newer runtimes): each part
 * registers how it is disposed of the moment it exists; `dispose()` runs those steps in reverse
 * order of registration. A start that fails half-way disposes of what it had registered so far, a
 * stop disposes of everything: there is no second list of parts to keep in step with the first.
 *
 * Every step runs even when an earlier one fails (a stuck pool must not keep the port open);
 * failures are reported through `onError`, and the first one rejects `dispose()`. Idempotent:
 * late callers get the same promise.
 */
export class Disposers {
  private readonly steps: Array<{ name: string; dispose: () => unknown }> = [];
  private disposed: Promise<void> | undefined;

  constructor(private readonly onError: (name: string, err: unknown) => void) {}

  /** Registers `dispose` for the part called `name` (named in failure reports). */
  defer(name: string, dispose: () => unknown): void {
    if (this.disposed) throw new Error(`cannot register ${name}: already disposed`);
    this.steps.push({ name, dispose });
  }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      const failures: unknown[] = [];
      for (const { name, dispose } of this.steps.reverse()) {
        try {
          await dispose();
        } catch (err) {
          failures.push(err);
          this.onError(name, err);
        }
      }
      if (failures.length > 0) throw failures[0];
    })();
    return this.disposed;
  }
}
