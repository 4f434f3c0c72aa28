import { errorCode } from '../../../src/errors.js';

export interface StorageHealth {
  driver: 'local' | 'minio';
  /** null until the first check has answered. */
  reachable: boolean | null;
  checkedAt: string | null;
  /** Stable code of the last failure (never its message: it may name hosts or paths). */
  errorCode?: string;
}

export interface StorageProbeOptions {
  driver: 'local' | 'minio';
  /** The snapshot store's cheap reachability check. */
  ping: () => Promise<void>;
  /** A result younger than this is reused, so probes hammering /ready cost one ping. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Storage reachability for `/ready` and `/health`: one ping at a time (concurrent callers share
 * it), results cached for `maxAgeMs`. `status()` is synchronous for the health builder.
 */
export class StorageProbe {
  private last: StorageHealth;
  private lastAtMs = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<StorageHealth> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: StorageProbeOptions) {
    this.now = options.now ?? Date.now;
    this.last = { driver: options.driver, reachable: null, checkedAt: null };
  }

  status(): StorageHealth {
    return { ...this.last };
  }

  /** A fresh-enough answer; never rejects. */
  check(): Promise<StorageHealth> {
    if (this.now() - this.lastAtMs < (this.options.maxAgeMs ?? 2_000)) return Promise.resolve(this.status());
    this.inFlight ??= this.options
      .ping()
      .then(
        () => ({ driver: this.options.driver, reachable: true, checkedAt: new Date(this.now()).toISOString() }),
        (err: unknown) => ({ driver: this.options.driver, reachable: false, checkedAt: new Date(this.now()).toISOString(), errorCode: errorCode(err) }),
      )
      .then((h: StorageHealth) => {
        this.last = h;
        this.lastAtMs = this.now();
        this.inFlight = undefined;
        return this.status();
      });
    return this.inFlight;
  }
}
