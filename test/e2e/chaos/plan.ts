/**
 * Pure: the chaos run's timeline, from a seed. The same seed and options give the same actions at
 * the same offsets, so a failing run is replayed with `--seed`. No I/O, no clock.
 */
export interface ChaosOptions {
  seed: number;
  sessions: number;
  durationMs: number;
  hostKills: number;
  supervisorKills: number;
  /** How long the supervisor stays dead after each SIGKILL. */
  supervisorDownMs: number;
  s3OutageMs: number;
  backendOutageMs: number;
  /** Average gap between a contact's messages to a session, and between API sends. */
  messageEveryMs: number;
}

export type ChaosAction =
  | { at: number; kind: 'host-kill'; session: number }
  | { at: number; kind: 'supervisor-kill' }
  | { at: number; kind: 'supervisor-start' }
  | { at: number; kind: 's3-down' }
  | { at: number; kind: 's3-up' }
  | { at: number; kind: 'backend-down' }
  | { at: number; kind: 'backend-up' }
  | { at: number; kind: 'message-in'; session: number; n: number }
  | { at: number; kind: 'message-out'; session: number; n: number };

export const DEFAULT_CHAOS: ChaosOptions = {
  seed: 1,
  sessions: 30,
  durationMs: 180_000,
  hostKills: 110,
  supervisorKills: 3,
  supervisorDownMs: 2_000,
  s3OutageMs: 20_000,
  backendOutageMs: 60_000,
  messageEveryMs: 1_500,
};

/** Park–Miller LCG in [0, 1): tiny and deterministic. */
export function random(seed: number): () => number {
  let state = Math.abs(Math.floor(seed)) % 2147483647 || 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

export function chaosPlan(o: ChaosOptions): ChaosAction[] {
  const next = random(o.seed);
  const pick = (): number => Math.min(o.sessions - 1, Math.floor(next() * o.sessions));
  const actions: ChaosAction[] = [];
  // Supervisor kills spread over the run (never in its first or last tenth).
  const kills: number[] = [];
  for (let i = 0; i < o.supervisorKills; i++) {
    const slot = o.durationMs / (o.supervisorKills + 1);
    kills.push(Math.round(slot * (i + 1) + (next() - 0.5) * slot * 0.4));
  }
  for (const at of kills) {
    actions.push({ at, kind: 'supervisor-kill' }, { at: at + o.supervisorDownMs, kind: 'supervisor-start' });
  }
  // The S3 outage spans the restart after the first supervisor kill.
  if (o.s3OutageMs > 0 && kills.length > 0) {
    const start = Math.max(0, kills[0]! - Math.round(o.s3OutageMs / 2));
    actions.push({ at: start, kind: 's3-down' }, { at: start + o.s3OutageMs, kind: 's3-up' });
  }
  // The backend outage sits in the middle of the run.
  if (o.backendOutageMs > 0) {
    const start = Math.max(0, Math.round(o.durationMs / 2 - o.backendOutageMs / 2));
    actions.push({ at: start, kind: 'backend-down' }, { at: start + o.backendOutageMs, kind: 'backend-up' });
  }
  for (let i = 0; i < o.hostKills; i++) actions.push({ at: Math.round(next() * o.durationMs), kind: 'host-kill', session: pick() });
  let n = 0;
  for (let t = next() * o.messageEveryMs; t < o.durationMs; t += o.messageEveryMs * (0.5 + next())) {
    actions.push({ at: Math.round(t), kind: 'message-in', session: pick(), n: n++ });
  }
  n = 0;
  for (let t = next() * o.messageEveryMs; t < o.durationMs; t += o.messageEveryMs * (0.5 + next())) {
    actions.push({ at: Math.round(t), kind: 'message-out', session: pick(), n: n++ });
  }
  return actions.sort((a, b) => a.at - b.at);
}
