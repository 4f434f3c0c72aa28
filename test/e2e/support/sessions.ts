/**
 * Creating sessions the way users do: the backend assigns a session, the worker starts its host,
 * the QR reaches the backend in a `qr_ready` webhook, the user's phone (the simulator) scans it,
 * and the backend hears `connected` with the phone number. The standalone path does the same
 * through the worker's HTTP API (`POST /api/sessions`, `GET /api/sessions/:id/qr`).
 */
import type { RecordedCall } from '../../fake-backend/server.js';
import type { World } from './world.js';
import type { E2EWorker } from './worker.js';
import { TOKEN } from './world.js';

export interface E2ESession {
  sessionId: string;
  phone: string;
  userId: string;
}

/** Body of a `POST /api/webhooks/session-status` call (seed profile). */
export interface StatusEvent {
  sessionId: string;
  event: string;
  status: string;
  reason?: string;
  phoneNumber: string | null;
  qrCode?: string;
  timestamp: string;
  workerId: string;
}

export function makeSessions(world: World, prefix: string, count: number, firstPhone: number): E2ESession[] {
  return Array.from({ length: count }, (_, i) => ({
    sessionId: `${prefix}${i + 1}_${world.tag}`,
    phone: String(firstPhone + i),
    userId: `user-${prefix}${i + 1}`,
  }));
}

/** What the backend assigns to this worker (replaces the whole list, as a backend's answer does). */
export function assign(world: World, sessions: readonly E2ESession[]): void {
  world.backend.setAssignments(
    world.workerId,
    sessions.map((s) => ({ sessionId: s.sessionId, userId: s.userId, name: `name-${s.sessionId}` })),
  );
}

export function statusEvents(world: World, sessionId?: string, since = 0): StatusEvent[] {
  return world.backend
    .callsTo('session-status')
    .filter((c) => c.at >= since && c.status === 200)
    .map((c) => c.body as StatusEvent)
    .filter((b) => sessionId === undefined || b.sessionId === sessionId);
}

function isStatus(c: RecordedCall, sessionId: string, pred: (b: StatusEvent) => boolean): boolean {
  if (c.route !== 'session-status' || c.status !== 200) return false;
  const b = c.body as StatusEvent;
  return b.sessionId === sessionId && pred(b);
}

/**
 * Pairs an assigned session: waits for its QR in a webhook, scans it with `phone`, and waits for
 * the `connected` webhook carrying that phone number.
 */
export async function scanFromWebhook(world: World, s: E2ESession, timeoutMs: number): Promise<void> {
  // The first QR lives 60 s in Baileys, far longer than a scan here takes.
  const qr = await world.waitCall((c) => isStatus(c, s.sessionId, (b) => b.event === 'qr_ready' && typeof b.qrCode === 'string'), timeoutMs);
  await world.sim.scan((qr.body as StatusEvent).qrCode!, { phone: s.phone });
  await world.waitCall((c) => isStatus(c, s.sessionId, (b) => b.event === 'connected' && b.phoneNumber === s.phone), timeoutMs);
}

/** Assigns `sessions` (on top of `already`) to a running worker and pairs each by QR. */
export async function createThroughBackend(world: World, already: readonly E2ESession[], sessions: readonly E2ESession[], timeoutMs: number): Promise<void> {
  assign(world, [...already, ...sessions]);
  await Promise.all(sessions.map((s) => scanFromWebhook(world, s, timeoutMs)));
}

// ---------------------------------------------------------------- HTTP API (standalone mode)

export async function api(worker: E2EWorker, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${worker.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: kept as text for the failure message */
  }
  return { status: res.status, body: parsed };
}

export async function createThroughApi(world: World, worker: E2EWorker, s: E2ESession, timeoutMs: number): Promise<void> {
  const created = await api(worker, 'POST', '/api/sessions', { sessionId: s.sessionId, userId: s.userId, name: `name-${s.sessionId}` });
  if (created.status >= 300) throw new Error(`POST /api/sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
  const deadline = Date.now() + timeoutMs;
  let qr: string | undefined;
  while (qr === undefined) {
    const r = await api(worker, 'GET', `/api/sessions/${s.sessionId}/qr`);
    if (r.status === 200 && typeof r.body?.data?.qr === 'string') qr = r.body.data.qr;
    else if (Date.now() > deadline) throw new Error(`no QR for ${s.sessionId}: last ${r.status} ${JSON.stringify(r.body)}`);
    else await new Promise((res) => setTimeout(res, 200));
  }
  await world.sim.scan(qr, { phone: s.phone });
  for (;;) {
    const r = await api(worker, 'GET', `/api/sessions/${s.sessionId}`);
    if (r.body?.data?.status === 'connected' && r.body?.data?.phoneNumber === s.phone) return;
    if (Date.now() > deadline) throw new Error(`${s.sessionId} never connected: last ${r.status} ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}
