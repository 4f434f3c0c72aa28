/**
 * When the spare pool forks its next spare (issue 15). Pure: the pool feeds it its counts and the
 * clock and applies the answer.
 *
 * - Refills stay off the hot path: nothing is forked until session starts have been quiet for
 *   `refillDelayMs` (a recovery of 100 sessions takes spares first and refills after it), and only
 *   one spare boots at a time, so a refill never competes with more than one boot for the cores.
 * - Latch (piscina's shape): spares that keep dying before they ever said `spare-ready` (a broken
 *   entry, a bad Node flag) stop the refilling after `maxEarlyDeaths` in a row; sessions then fork
 *   their own hosts as they would with HOST_SPARES=0. One `spare-ready` resets the count.
 */
export interface SparePoolCounts {
  /** HOST_SPARES. */
  wanted: number;
  /** Spares alive and not taken (ready or still booting). */
  live: number;
  /** Of those, still loading their modules. */
  booting: number;
  /** Spares that died before `spare-ready`, in a row. */
  earlyDeaths: number;
  closed: boolean;
}

export interface RefillTiming {
  nowMs: number;
  /** Last time a session start asked the pool for a spare (or the pool started). */
  lastDemandMs: number;
  refillDelayMs: number;
  maxEarlyDeaths: number;
}

export type RefillDecision =
  | { type: 'fork' }
  | { type: 'wait'; ms: number }
  /** Nothing to do until a spare is taken, becomes ready or dies. */
  | { type: 'idle' }
  | { type: 'latched' };

export function nextRefill(counts: SparePoolCounts, timing: RefillTiming): RefillDecision {
  if (counts.closed || counts.live >= counts.wanted) return { type: 'idle' };
  if (counts.earlyDeaths >= timing.maxEarlyDeaths) return { type: 'latched' };
  if (counts.booting > 0) return { type: 'idle' };
  const quietMs = timing.nowMs - timing.lastDemandMs;
  if (quietMs < timing.refillDelayMs) return { type: 'wait', ms: timing.refillDelayMs - quietMs };
  return { type: 'fork' };
}
