/**
 * Creating sessions the way a user without a phone can: `POST /api/sessions`, the QR from
 * `GET /api/sessions/:id/qr`, scanned by the simulator acting as the phone, then `connected`
 * with that phone number in `GET /api/sessions`. Batched, so a large N does not fork every host
 * at once on a small machine.
 */
import type { WaSim } from '../../test/wa-sim/index.js';
import type { SessionData, WorkerApi } from './api.js';
import { pollUntil } from './wait.js';

export interface PlannedSession {
  sessionId: string;
  phone: string;
}

/** Pure: `count` sessions with ids `<prefix>-001…` and distinct simulated phone numbers. */
export function planSessions(prefix: string, count: number, firstPhone = 15550100000): PlannedSession[] {
  return Array.from({ length: count }, (_, i) => ({
    sessionId: `${prefix}-${String(i + 1).padStart(3, '0')}`,
    phone: String(firstPhone + i),
  }));
}

/** Scans the session's current QR; retries with the next QR when the shown one rotated meanwhile. */
export async function scanSession(api: WorkerApi, sim: WaSim, s: PlannedSession, timeoutMs: number): Promise<void> {
  let lastError = '';
  await pollUntil(
    async () => {
      const qr = await api.qr(s.sessionId);
      if (qr === undefined) return undefined;
      try {
        await sim.scan(qr, { phone: s.phone });
        return true;
      } catch (err) {
        lastError = (err as Error).message;
        return undefined;
      }
    },
    { timeoutMs, intervalMs: 150, what: `a QR of ${s.sessionId} to scan`, last: () => lastError },
  );
}

export function byId(list: readonly SessionData[]): Map<string, SessionData> {
  return new Map(list.map((s) => [s.sessionId, s]));
}

/** Waits until every listed session is `connected` (with its phone number when given). */
export async function waitAllConnected(api: WorkerApi, sessions: readonly PlannedSession[], timeoutMs: number, intervalMs = 200): Promise<Map<string, SessionData>> {
  let last = new Map<string, SessionData>();
  return pollUntil(
    async () => {
      last = byId(await api.sessions());
      return sessions.every((s) => last.get(s.sessionId)?.status === 'connected' && last.get(s.sessionId)?.phoneNumber === s.phone) ? last : undefined;
    },
    {
      timeoutMs,
      intervalMs,
      what: `${sessions.length} sessions connected`,
      last: () => {
        const counts = new Map<string, number>();
        for (const s of sessions) {
          const st = last.get(s.sessionId)?.status ?? 'absent';
          counts.set(st, (counts.get(st) ?? 0) + 1);
        }
        return JSON.stringify(Object.fromEntries(counts));
      },
    },
  );
}

/** Creates and pairs `sessions`, `batch` at a time. */
export async function pairAll(api: WorkerApi, sim: WaSim, sessions: readonly PlannedSession[], options: { batch: number; timeoutMs: number }): Promise<void> {
  for (let i = 0; i < sessions.length; i += options.batch) {
    const group = sessions.slice(i, i + options.batch);
    await Promise.all(group.map((s) => api.createSession(s.sessionId, { userId: `bench-user-${s.sessionId}`, name: s.sessionId })));
    await Promise.all(group.map((s) => scanSession(api, sim, s, options.timeoutMs)));
    await waitAllConnected(api, group, options.timeoutMs);
  }
}
