/**
 * Pure: the random-kill schedule. Seeded (a printed seed replays a failing run with
 * E2E_CHAOS_SEED) and bounded: a pause of 300–1800 ms, then one of `n` sessions.
 */
export interface KillStep {
  delayMs: number;
  index: number;
}

export function killSchedule(seed: number, n: number): () => KillStep {
  // Park–Miller style LCG: tiny, deterministic, good enough to spread kills.
  let state = Math.abs(Math.floor(seed)) % 2147483647 || 1;
  const next = (): number => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
  return () => ({ delayMs: 300 + Math.floor(next() * 1500), index: Math.min(n - 1, Math.floor(next() * n)) });
}
