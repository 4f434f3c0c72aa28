/**
 * The chaos run (issue 13 §8): N sessions paired on the simulator, then for a fixed time random
 * host SIGKILLs, supervisor SIGKILLs each followed by a restart, an S3 outage that spans a
 * supervisor start, a backend outage, and messages both ways throughout. Afterwards it checks the
 * promises: every session connected, no QR after pairing, every published generation readable,
 * no lost generation, no orphan and never two hosts for one session, every incoming message at the
 * backend exactly once after de-duplication by id, every accepted send at the contact at most once.
 * Used by `npm run chaos` (bench/chaos.ts) and, short, by test/e2e/chaos.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSnapshotStore } from '../../../src/storage/index.js';
import { FaultProxy } from '../../support/s3/fault-proxy.js';
import { minioSettings } from '../../support/s3/s3rver-server.js';
import { assign, makeSessions, statusEvents, type E2ESession } from '../support/sessions.js';
import { startWorld, TOKEN, type World } from '../support/world.js';
import type { E2EWorker } from '../support/worker.js';
import { hostPidsBySession } from './host-scan.js';
import { Recorder, tally, type Violation } from './invariants.js';
import { chaosPlan, type ChaosAction, type ChaosOptions } from './plan.js';

export interface ChaosReport {
  seed: number;
  options: ChaosOptions;
  startedAt: string;
  finishedAt: string;
  pairingMs: number;
  counts: {
    hostKills: number;
    hostKillsSkipped: number;
    supervisorKills: number;
    s3OutageMs: number;
    backendOutageMs: number;
  };
  qrRoundsAfterPairing: number;
  generations: { sessionsChecked: number; generationsReadable: number; unreadable: number };
  messagesIn: { sent: number; deliveredUnique: number; deliveriesRaw: number; duplicatesByKey: number; missing: number };
  messagesOut: { attempted: number; accepted: number; receivedByContact: number; duplicatesAtContact: number };
  orphanHosts: number;
  violations: Violation[];
  passed: boolean;
}

const CONTACT = '15550909999';
// Snapshots are encrypted at rest in this run, so "readable" also means "decryptable".
const KEY = randomBytes(32);
const WORKER_ENV = {
  AUTH_ENCRYPTION_KEY: KEY.toString('hex'),
  // This run is about auth surviving kills: quarantine is lifted and the backoff kept short.
  RESTART_INTENSITY: '10000',
  RESTART_BACKOFF_INITIAL_MS: '200',
  RESTART_BACKOFF_MAX_MS: '2000',
  STORAGE_TIMEOUT: '3000',
  RECOVERY_TIMEOUT: '120000',
};

async function send(worker: E2EWorker, s: E2ESession, n: number): Promise<'accepted' | 'refused'> {
  const body = JSON.stringify({ to: CONTACT, type: 'text', text: `chaos-out-${n}` });
  // One retry with the same key: a timed-out or refused answer is what makes clients retry.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await fetch(`${worker.url}/api/sessions/${encodeURIComponent(s.sessionId)}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': `chaos-out-${n}` },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 201 || res.status === 202) return 'accepted';
      if (res.status < 500) return 'refused';
    } catch {
      // worker down or slow: retry once with the same key
    }
  }
  return 'refused';
}

/**
 * Pairs many sessions on a loaded machine: a few at a time, each with the newest QR the backend
 * heard of (a QR can rotate or its connection drop before the scan), retried until connected.
 */
async function pairAll(world: World, sessions: readonly E2ESession[], batch: number): Promise<void> {
  assign(world, sessions);
  const pairOne = async (s: E2ESession): Promise<void> => {
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (statusEvents(world, s.sessionId).some((e) => e.event === 'connected' && e.phoneNumber === s.phone)) return;
      const qr = statusEvents(world, s.sessionId).filter((e) => e.event === 'qr_ready' && typeof e.qrCode === 'string').at(-1);
      if (qr) {
        try {
          await world.sim.scan(qr.qrCode!, { phone: s.phone });
          await world.waitCall((c) => c.route === 'session-status' && (c.body as { sessionId: string; event: string }).sessionId === s.sessionId && (c.body as { event: string }).event === 'connected', 60_000);
          return;
        } catch {
          // that QR was gone or the login did not finish: take the next one
        }
      }
      if (Date.now() > deadline) throw new Error(`${s.sessionId} could not be paired in 240 s`);
      await sleep(1_000);
    }
  };
  for (let i = 0; i < sessions.length; i += batch) await Promise.all(sessions.slice(i, i + batch).map(pairOne));
}

export async function runChaos(options: ChaosOptions, log: (line: string) => void = () => undefined): Promise<ChaosReport> {
  const startedAt = new Date().toISOString();
  const plan = chaosPlan(options);
  const world: World = await startWorld('chaos');
  // Many sessions wait on backend calls at once while pairing.
  world.backend.setMaxListeners(200);
  const proxy = new FaultProxy({ host: world.s3.host, port: world.s3.port });
  await proxy.start();
  const backendPort = Number(new URL(world.backend.url).port);
  const env = { ...WORKER_ENV, MINIO_PORT: String(proxy.port) };
  // The operator's view of the bucket, with the key: reads and verifies what the hosts published.
  const store = createSnapshotStore(
    minioSettings(world.s3, { bucket: world.bucket }),
    { workerId: 'chaos-inspector', encryptionKeys: [KEY], timeoutMs: 10_000 },
  );
  const sessions = makeSessions(world, 'x', options.sessions, 15550700001);
  const ids = sessions.map((s) => s.sessionId);
  let worker = await world.startWorker({ env });
  const workers: E2EWorker[] = [worker];
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  try {
    await world.waitCall((c) => c.route === 'register' && c.status === 200, 60_000);
    await worker.recoveryDone(60_000);
    const pairStart = Date.now();
    await pairAll(world, sessions, 5);
    await worker.connected(sessions.length, 120_000);
    const pairingMs = Date.now() - pairStart;
    log(`paired ${sessions.length} sessions in ${pairingMs} ms; chaos for ${options.durationMs} ms, seed ${options.seed}`);
    const qrAfterPairing = world.sim.qrCount();
    world.sim.registerContact(CONTACT); // on WhatsApp: sends run a number check first (issue 19 §3)
    const received: string[] = [];
    world.sim.on('message', (m: { text: string }) => {
      if (m.text.startsWith('chaos-out-')) received.push(m.text);
    });

    const rec = new Recorder(Date.now());
    let s3Down = false;
    let supervisorDown = false;
    const counts = { hostKills: 0, hostKillsSkipped: 0, supervisorKills: 0, s3OutageMs: 0, backendOutageMs: 0 };
    let s3DownAt = 0;
    let backendDownAt = 0;
    const sentIn: string[] = [];
    let attemptedOut = 0;
    let acceptedOut = 0;

    // Samplers: hosts every 500 ms, storage heads every 3 s (while S3 answers).
    let sampling = true;
    const hostSampler = (async () => {
      while (sampling) {
        rec.hosts(hostPidsBySession(ids));
        await sleep(500);
      }
    })();
    const headSampler = (async () => {
      while (sampling) {
        if (!s3Down) {
          for (const id of ids) {
            try {
              rec.head(id, await store.headGeneration(id));
            } catch {
              // S3 went down meanwhile
            }
          }
        }
        await sleep(3_000);
      }
    })();

    const act = async (a: ChaosAction): Promise<void> => {
      switch (a.kind) {
        case 'host-kill': {
          if (supervisorDown) {
            counts.hostKillsSkipped++;
            return;
          }
          // The planned session's host may be down (restarting after an earlier kill, in backoff
          // through the S3 outage): then the next session in order with exactly one live host
          // takes the kill, so a loaded machine still gets the planned number of kills.
          const live = hostPidsBySession(ids);
          const order = ids.map((_, i) => ids[(a.session + i) % ids.length]!);
          const victim = order.map((id) => live.get(id) ?? []).find((pids) => pids.length === 1);
          if (!victim) {
            counts.hostKillsSkipped++;
            return;
          }
          try {
            process.kill(victim[0]!, 'SIGKILL');
            counts.hostKills++;
          } catch {
            counts.hostKillsSkipped++;
          }
          return;
        }
        case 'supervisor-kill': {
          const hostPids = [...hostPidsBySession(ids).values()].flat();
          await worker.sigkill();
          supervisorDown = true;
          counts.supervisorKills++;
          // No orphans: every host exits once its IPC channel is gone (with a flush deadline).
          track(
            (async () => {
              await sleep(6_000);
              const alive = hostPids.filter((pid) => {
                try {
                  process.kill(pid, 0);
                  return true;
                } catch {
                  return false;
                }
              });
              if (alive.length > 0) rec.violate('no-orphan-hosts', `${alive.length} hosts outlived the supervisor SIGKILL by 6 s: ${alive.join(', ')}`);
            })(),
          );
          return;
        }
        case 'supervisor-start':
          worker = await world.startWorker({ env });
          workers.push(worker);
          supervisorDown = false;
          return;
        case 's3-down':
          await proxy.kill();
          s3Down = true;
          s3DownAt = Date.now();
          return;
        case 's3-up':
          await proxy.revive();
          s3Down = false;
          counts.s3OutageMs += Date.now() - s3DownAt;
          return;
        case 'backend-down':
          await world.backend.close();
          backendDownAt = Date.now();
          return;
        case 'backend-up':
          await world.backend.listen(backendPort);
          counts.backendOutageMs += Date.now() - backendDownAt;
          return;
        case 'message-in': {
          const text = `chaos-in-${a.n}`;
          sentIn.push(text);
          // A missing receipt is no failure here: the server holds the message for redelivery, and
          // the backend check below is what counts.
          track(world.sim.deliverText(CONTACT, sessions[a.session]!.phone, text).catch((err: unknown) => log(`+${rec.at()} ms ${text}: ${String(err)}`)));
          return;
        }
        case 'message-out':
          if (supervisorDown) return;
          attemptedOut++;
          track(send(worker, sessions[a.session]!, a.n).then((r) => void (r === 'accepted' && acceptedOut++)));
          return;
      }
    };

    const t0 = Date.now();
    for (const a of plan) {
      const wait = t0 + a.at - Date.now();
      if (wait > 0) await sleep(wait);
      await act(a);
      if (a.kind !== 'host-kill' && a.kind !== 'message-out') log(`+${Date.now() - t0} ms ${a.kind}${'n' in a ? ` ${a.n} → ${ids[a.session]}` : ''}`);
    }
    // Heal whatever is still broken, then let the worker settle.
    if (s3Down) await act({ at: 0, kind: 's3-up' });
    if (supervisorDown) await act({ at: 0, kind: 'supervisor-start' });
    await Promise.allSettled([...inFlight]);
    log(`chaos phase over: ${counts.hostKills} host kills (${counts.hostKillsSkipped} skipped), ${counts.supervisorKills} supervisor kills; settling`);

    try {
      await worker.connected(sessions.length, 180_000);
    } catch {
      const health = await worker.health();
      rec.violate('every-session-connected', `only ${health?.sessions?.byStatus?.connected ?? 0}/${sessions.length} connected: ${JSON.stringify(health?.sessions?.byStatus)}`);
    }
    // Incoming messages: every one at the backend (deduplicated by message id), within 3 minutes.
    const deliveredTexts = (): { texts: Map<string, number>; ids: Map<string, number> } => {
      const msgs = world.backend
        .callsTo('messages')
        .filter((c) => c.status >= 200 && c.status < 300)
        .flatMap((c) => (c.body as { messages: { id: string; text?: string }[] }).messages)
        .filter((m) => m.text?.startsWith('chaos-in-'));
      return { texts: tally(msgs.map((m) => m.text!)), ids: tally(msgs.map((m) => m.id)) };
    };
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && sentIn.some((t) => !deliveredTexts().texts.has(t))) await sleep(1_000);
    sampling = false;
    await Promise.all([hostSampler, headSampler]);

    const { texts, ids: byId } = deliveredTexts();
    const missing = sentIn.filter((t) => !texts.has(t));
    for (const t of missing.slice(0, 20)) rec.violate('message-in-delivered', `${t} never reached the backend`);
    const deliveriesRaw = [...texts.values()].reduce((a, b) => a + b, 0);
    // Two ids for one text would be WhatsApp delivering twice; the same id twice is at-least-once.
    const idsPerText = new Map<string, Set<string>>();
    for (const c of world.backend.callsTo('messages').filter((x) => x.status >= 200 && x.status < 300)) {
      for (const m of (c.body as { messages: { id: string; text?: string }[] }).messages) {
        if (!m.text?.startsWith('chaos-in-')) continue;
        idsPerText.set(m.text, (idsPerText.get(m.text) ?? new Set()).add(m.id));
      }
    }
    for (const [t, set] of idsPerText) if (set.size > 1) rec.violate('message-in-once', `${t} arrived under ${set.size} ids`);

    const atContact = tally(received);
    const dupOut = [...atContact.values()].filter((n) => n > 1).length;
    for (const [t, n] of atContact) if (n > 1) rec.violate('send-at-most-once', `${t} reached the contact ${n} times`);

    const qrRoundsAfterPairing = world.sim.qrCount() - qrAfterPairing;
    if (qrRoundsAfterPairing > 0) rec.violate('no-qr-after-pairing', `${qrRoundsAfterPairing} QR rounds after pairing`);

    // A graceful stop at the end leaves no host behind.
    await worker.stop(90_000);
    await sleep(1_000);
    const leftovers = [...hostPidsBySession(ids).values()].flat();
    if (leftovers.length > 0) rec.violate('no-orphan-hosts', `${leftovers.length} hosts alive after the final stop: ${leftovers.join(', ')}`);
    // Verified after the stop: a running host's upload prunes old generations, so a listing taken
    // while it runs can name a snapshot that retention removes before it is read.
    // Every published generation readable and decryptable.
    let generationsReadable = 0;
    let unreadable = 0;
    for (const id of ids) {
      try {
        const v = await store.verifySession(id);
        if (!v.pointer?.ok) rec.violate('generation-readable', `pointer ${JSON.stringify(v.pointer)}`, id);
        for (const g of v.generations) {
          if (g.ok) generationsReadable++;
          else {
            unreadable++;
            rec.violate('generation-readable', `generation ${g.generation}: ${g.code ?? ''} ${g.message ?? 'unreadable'}`, id);
          }
        }
      } catch (err) {
        unreadable++;
        rec.violate('generation-readable', `verify failed: ${String(err)}`, id);
      }
      rec.head(id, await store.headGeneration(id).catch(() => null));
    }


    const report: ChaosReport = {
      seed: options.seed,
      options,
      startedAt,
      finishedAt: new Date().toISOString(),
      pairingMs,
      counts,
      qrRoundsAfterPairing,
      generations: { sessionsChecked: ids.length, generationsReadable, unreadable },
      messagesIn: { sent: sentIn.length, deliveredUnique: texts.size, deliveriesRaw, duplicatesByKey: [...byId.values()].reduce((a, n) => a + n - 1, 0), missing: missing.length },
      messagesOut: { attempted: attemptedOut, accepted: acceptedOut, receivedByContact: atContact.size, duplicatesAtContact: dupOut },
      orphanHosts: leftovers.length,
      violations: rec.violations,
      passed: rec.violations.length === 0,
    };
    return report;
  } finally {
    for (const w of workers) w.forceKill();
    await proxy.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    await world.close(ids).catch(() => undefined);
  }
}
