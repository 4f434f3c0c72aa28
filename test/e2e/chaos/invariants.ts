/**
 * Pure: what the chaos run records while it runs, and the verdicts drawn from it. A violation names
 * the invariant, the session (when there is one) and the moment (ms since the chaos phase began).
 */
export interface Violation {
  invariant: string;
  sessionId?: string;
  atMs: number;
  detail: string;
}

export class Recorder {
  readonly violations: Violation[] = [];
  /** Newest head generation seen per session (storage sampled while it was up). */
  private readonly heads = new Map<string, number>();

  constructor(private readonly t0: number, private readonly now: () => number = Date.now) {}

  at(): number {
    return this.now() - this.t0;
  }

  violate(invariant: string, detail: string, sessionId?: string): void {
    this.violations.push({ invariant, atMs: this.at(), detail, ...(sessionId ? { sessionId } : {}) });
  }

  /** A sample of live host processes per session: more than one is two hosts writing one auth. */
  hosts(sample: ReadonlyMap<string, readonly number[]>): void {
    for (const [sessionId, pids] of sample) {
      if (pids.length > 1) this.violate('one-host-per-session', `${pids.length} live hosts: ${pids.join(', ')}`, sessionId);
    }
  }

  /** The published head generation must never move backwards (a lost generation). */
  head(sessionId: string, generation: number | null): void {
    if (generation === null) return;
    const before = this.heads.get(sessionId);
    if (before !== undefined && generation < before) this.violate('no-lost-generation', `head went from ${before} back to ${generation}`, sessionId);
    this.heads.set(sessionId, Math.max(generation, before ?? 0));
  }

  headOf(sessionId: string): number | undefined {
    return this.heads.get(sessionId);
  }
}

/** Counts how many times each key occurs. */
export function tally(keys: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of keys) out.set(k, (out.get(k) ?? 0) + 1);
  return out;
}
