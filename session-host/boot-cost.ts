/**
 * Where a host's boot CPU goes (issue 15): user + system CPU of this process at each step of its
 * first connection, logged once as `session host boot cost` (the bench reads it from the
 * supervisor's output). `imported` is process start → the entry's first line (Node's own
 * bootstrap plus evaluating the bundle); the rest are differences between steps. The clock is
 * `process.cpuUsage()`, so a host waiting for the CPU under recovery load is not charged for it.
 */
export type BootStep = 'imported' | 'init' | 'ready' | 'connected' | 'uploaded';

const ORDER: readonly BootStep[] = ['imported', 'init', 'ready', 'connected', 'uploaded'];
const marks = new Map<BootStep, { cpuMs: number; wallMs: number }>();

/** Records a step the first time it happens; later calls are ignored. */
export function markBoot(step: BootStep): void {
  if (marks.has(step)) return;
  const { user, system } = process.cpuUsage();
  marks.set(step, { cpuMs: (user + system) / 1000, wallMs: performance.now() });
}

let wasSpare = false;

/** This process started as a spare (issue 15): its boot, as the session saw it, starts at `init`. */
export function markSpare(): void {
  wasSpare = true;
}

/** The `bootMs` and `spare` fields of the `ready` message (src/ipc/protocol.ts). */
export function readyTiming(): { bootMs: number; spare?: true } {
  const now = performance.now();
  if (!wasSpare) return { bootMs: Math.round(now) };
  return { bootMs: Math.round(now - (marks.get('init')?.wallMs ?? 0)), spare: true };
}

export interface BootCost {
  /** CPU ms spent in each phase, keyed by the step that ends it (`imported`: start → entry). */
  cpuMs: Partial<Record<BootStep, number>>;
  /** Wall ms since process start at each step. */
  atMs: Partial<Record<BootStep, number>>;
}

/** Pure over the recorded marks: per-phase CPU, in step order. */
export function bootCost(): BootCost & { spare: boolean } {
  const cpuMs: BootCost['cpuMs'] = {};
  const atMs: BootCost['atMs'] = {};
  let previous = 0;
  for (const step of ORDER) {
    const m = marks.get(step);
    if (!m) continue;
    cpuMs[step] = Math.round(m.cpuMs - previous);
    atMs[step] = Math.round(m.wallMs);
    previous = m.cpuMs;
  }
  return { cpuMs, atMs, spare: wasSpare };
}
