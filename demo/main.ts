/**
 * `npm run demo`: the worker's promise, shown to someone without a phone. Starts the compiled
 * worker standalone against the bundled WhatsApp simulator, links two sessions by QR and one by a
 * phone-number pairing code (typed on the simulated phone), sends
 * and receives a message, `kill -9`s one session host and watches it come back without a QR,
 * then restarts the whole worker and shows all three recovered, with timings.
 *
 * Everything runs on 127.0.0.1 in a temporary DATA_DIR that is removed at the end. A hard
 * timeout (DEMO_TIMEOUT_MS, default 5 min) ends it with exit 1 instead of ever hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type WaSim } from '../test/wa-sim/index.js';
import { WorkerApi } from '../bench/lib/api.js';
import { buildAll } from '../bench/lib/build.js';
import { byId, type PlannedSession } from '../bench/lib/pairing.js';
import { pollUntil } from '../bench/lib/wait.js';
import { WorkerProcess } from '../bench/lib/worker-process.js';
import { bold, dim, ms, ok, red, say, step } from './narrate.js';
import { exchangeMessages, linkSession, linkSessionByCode, waitSession } from './steps.js';

const SESSIONS: PlannedSession[] = [
  { sessionId: 'alice', phone: '15550001001' },
  { sessionId: 'bob', phone: '15550001002' },
  { sessionId: 'carol', phone: '15550001003' },
];
const CONTACT = '15550009999';
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_MS ?? 300_000);

let sim: WaSim | undefined;
let worker: WorkerProcess | undefined;
let dataDir: string | undefined;

async function startWorker(s: WaSim, dir: string): Promise<{ worker: WorkerProcess; api: WorkerApi }> {
  const w = await WorkerProcess.start({
    preloadPath: s.preloadPath,
    env: { ...s.childEnv(), DATA_DIR: dir, WORKER_ID: 'demo-worker', LOG_LEVEL: process.env.DEMO_LOG_LEVEL ?? 'info' },
  });
  worker = w;
  return { worker: w, api: new WorkerApi(w.url) };
}

async function main(): Promise<void> {
  console.log(bold('wa-gateway-worker demo — WhatsApp sessions that survive crashes and restarts without a new QR scan'));
  say(dim('No phone needed: a local WhatsApp server simulator plays WhatsApp and every phone.'));

  step('Build the worker (compiled JS, as in production) and start the simulator');
  await buildAll({ baseline: false });
  sim = await startSimulator();
  // The contact is a WhatsApp user: the worker checks a number before sending to it.
  sim.registerContact(CONTACT);
  dataDir = mkdtempSync(join(tmpdir(), 'wa-demo-'));
  ok(`simulator listening at ${sim.url}; DATA_DIR ${dataDir}`);

  step('Start the worker standalone (no control-plane backend)');
  let { worker: w, api } = await startWorker(sim, dataDir);
  const health = await pollUntil(async () => {
    const h = await api.health();
    return h?.recovery?.phase === 'done' ? h : undefined;
  }, { timeoutMs: 30_000, what: 'the worker to be ready', last: () => w.tail(5) });
  ok(`supervisor pid ${w.pid} at ${w.url}, mode ${health.mode}, worker id ${health.workerId}, ${ms(Date.now() - w.spawnedAt)} to ready`);

  for (const s of SESSIONS.slice(0, 2)) {
    step(`Link session "${s.sessionId}" by QR`);
    await linkSession(api, sim, s);
  }
  // A user whose only device is the phone itself cannot scan a QR shown on it: a code instead.
  step(`Link session "${SESSIONS[2]!.sessionId}" by phone-number code (no QR)`);
  await linkSessionByCode(api, sim, SESSIONS[2]!);
  const qrRounds = sim.qrCount();

  step(`Send and receive a text (alice ↔ the contact +${CONTACT})`);
  await exchangeMessages(api, sim, SESSIONS[0]!, CONTACT);

  step('kill -9 one session host (bob) — the others are untouched');
  const before = byId(await api.sessions());
  const bob = before.get('bob')!;
  say(`GET /api/sessions/bob → pid ${bob.pid}; running: kill -9 ${bob.pid}`);
  const killedAt = Date.now();
  process.kill(bob.pid!, 'SIGKILL');
  const back = await waitSession(api, 'bob', (v) => v.status === 'connected' && v.pid !== null && v.pid !== bob.pid, 30_000, 'bob back after kill -9');
  ok(`bob is connected again in ${bold(ms(Date.now() - killedAt))}: new host pid ${back.pid}, restarts ${back.restarts}, same number +${back.phoneNumber}`);
  const after = byId(await api.sessions());
  for (const id of ['alice', 'carol']) ok(`${id} kept its host (pid ${before.get(id)!.pid} → ${after.get(id)!.pid}), status ${after.get(id)!.status}`);
  ok(`QR codes shown since linking: ${sim.qrCount() - qrRounds} (no re-scan)`);

  step('Restart the whole worker (SIGTERM, then start again)');
  const stopAt = Date.now();
  const exit = await w.stop();
  if (exit.code !== 0) throw new Error(`the worker exited with ${JSON.stringify(exit)} on SIGTERM`);
  ok(`stopped gracefully in ${ms(Date.now() - stopAt)}: hosts flushed their auth and closed WITHOUT logging out (exit code 0)`);
  ({ worker: w, api } = await startWorker(sim, dataDir));
  say(`started again: supervisor pid ${w.pid}; it recovers every session listed in DATA_DIR/registry.json`);
  const connectedAt = new Map<string, number>();
  const recovered = await pollUntil(async () => {
    let list;
    try {
      list = await api.sessions();
    } catch {
      return undefined; // HTTP server not up yet
    }
    for (const v of list) if (v.status === 'connected' && !connectedAt.has(v.sessionId)) connectedAt.set(v.sessionId, Date.now());
    return SESSIONS.every((s) => connectedAt.has(s.sessionId)) ? byId(list) : undefined;
  }, { timeoutMs: 60_000, intervalMs: 50, what: 'all three sessions recovered', last: () => w.tail(5) });
  for (const s of SESSIONS) {
    const v = recovered.get(s.sessionId)!;
    ok(`${s.sessionId.padEnd(6)} connected ${ms(connectedAt.get(s.sessionId)! - w.spawnedAt).padStart(8)} after start, +${v.phoneNumber}, isRecovered ${v.isRecovered}, host pid ${v.pid}`);
  }
  ok(`all three recovered in ${bold(ms(Math.max(...connectedAt.values()) - w.spawnedAt))}; QR codes shown: ${sim.qrCount() - qrRounds}`);

  step('Clean up');
  const finalExit = await w.stop();
  ok(`worker stopped (exit ${finalExit.code}); temporary DATA_DIR removed`);
  console.log(`\n${bold('Demo complete.')}`);
}

async function cleanup(): Promise<void> {
  worker?.forceKill();
  await sim?.close().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

const hardTimeout = setTimeout(() => {
  console.error(red(`\nThe demo did not finish within ${TIMEOUT_MS} ms (DEMO_TIMEOUT_MS); stopping.`));
  if (worker) console.error(dim(worker.tail(30)));
  void cleanup().finally(() => process.exit(1));
}, TIMEOUT_MS);
hardTimeout.unref();

main().then(
  async () => {
    await cleanup();
    process.exit(0);
  },
  async (err: unknown) => {
    console.error(red(`\nDemo failed: ${err instanceof Error ? err.message : String(err)}`));
    if (worker) console.error(dim(`--- worker log tail ---\n${worker.tail(30)}`));
    await cleanup();
    process.exit(1);
  },
);
