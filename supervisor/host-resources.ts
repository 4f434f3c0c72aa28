import { ProcSampler, type ProcSample } from './proc-stats.js';

const MIN_GAP_MS = 1_000;

/** What the monitor needs of a sampler (ProcSampler; a counted fake in tests). */
export interface HostSampler {
  sampleAll(pids: ReadonlyMap<string, number>): Promise<Map<string, ProcSample>>;
}

/**
 * PSS and CPU of every live host, sampled from /proc in the background every `periodMs`
 * (HOST_SAMPLE_INTERVAL_MS), so a `GET /metrics` scrape only reads the last sample. CPU is read
 * every pass; PSS only when the host's resident size moved or 6 periods passed (proc-stats.ts). Reading
 * `smaps_rollup` walks a process's page tables: at 100 hosts it made every scrape cost ~200 ms of
 * supervisor time (issue 15); now that cost is paid once per period, whoever scrapes how often.
 *
 * A sample is reported only while its host still runs under the same pid: a restarted host has no
 * figures until the next pass (which a newly seen pid brings forward), never its predecessor's.
 */
export class HostResourceMonitor {
  private latest = new Map<string, ProcSample>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private passes = 0;
  private lastPassAt = -Infinity;

  constructor(
    private readonly pids: () => ReadonlyMap<string, number>,
    private readonly periodMs: number,
    // A steady host's PSS is re-read at least every 6 periods (a minute at the default 10 s).
    private readonly sampler: HostSampler = new ProcSampler({ pssMaxAgeMs: 6 * periodMs }),
  ) {}

  /** Samples now, then every period. The timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    // sampleNow() never rejects: an unreadable /proc keeps the last sample.
    void this.sampleNow();
    this.timer = setInterval(() => void this.sampleNow(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Completed sampling passes (tests and the bench). */
  get sampled(): number {
    return this.passes;
  }

  /** The last sample of every host still running under the sampled pid. Never reads /proc. */
  current(): Map<string, ProcSample> {
    const live = this.pids();
    const out = new Map<string, ProcSample>();
    let unseen = false;
    for (const [sessionId, pid] of live) {
      const s = this.latest.get(sessionId);
      if (s && s.pid === pid) out.set(sessionId, s);
      else unseen = true;
    }
    // A host started (or restarted) since the last pass: bring the next pass forward, off this
    // call, at most once a second (a host whose /proc cannot be read stays unseen).
    if (unseen && this.timer && !this.pass && performance.now() - this.lastPassAt >= MIN_GAP_MS) setImmediate(() => void this.sampleNow());
    return out;
  }

  /** One pass over every live host; concurrent callers share it. */
  sampleNow(): Promise<void> {
    this.pass ??= this.sampler
      .sampleAll(this.pids())
      .then((samples) => {
        this.latest = samples;
        this.passes++;
        this.lastPassAt = performance.now();
      })
      .catch(() => undefined) // /proc unreadable: keep the last sample, try again next period
      .finally(() => {
        this.pass = undefined;
      });
    return this.pass;
  }
}
