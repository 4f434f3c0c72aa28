/**
 * Which pending event of a lane goes next (pure).
 *
 * Without coalescing: the oldest, so a lane delivers in the order events happened.
 * With coalescing (status lanes of a rate-limited backend): only each session's newest status
 * matters — older ones are superseded (settled without sending, counted); among the newest,
 * QR codes go first (they expire within seconds and a user is waiting at a screen), then the
 * oldest. Nothing that is any session's newest status is ever skipped.
 */
export interface PendingRef {
  seq: number;
  sessionId: string;
  /** A QR code event (`qr_ready`). */
  qr: boolean;
}

export interface Pick {
  next: number | null;
  superseded: number[];
}

export function pickNext(pending: readonly PendingRef[], coalesce: boolean): Pick {
  if (pending.length === 0) return { next: null, superseded: [] };
  const sorted = [...pending].sort((a, b) => a.seq - b.seq);
  if (!coalesce) return { next: sorted[0]!.seq, superseded: [] };
  const newest = new Map<string, PendingRef>();
  for (const p of sorted) newest.set(p.sessionId, p);
  const keep = new Set([...newest.values()].map((p) => p.seq));
  const superseded = sorted.filter((p) => !keep.has(p.seq)).map((p) => p.seq);
  const candidates = sorted.filter((p) => keep.has(p.seq));
  const next = candidates.find((p) => p.qr) ?? candidates[0]!;
  return { next: next.seq, superseded };
}
