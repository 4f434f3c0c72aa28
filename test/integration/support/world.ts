/**
 * The parts of a backend-mode integration run: sessions paired once on the WhatsApp simulator,
 * the compiled supervisor as its own process (hosts under the simulator's trust preload), and
 * small readers of what an operator would look at (`/health`, `/metrics`).
 */
import { expect } from 'vitest';
import type { QrMessage } from '../../../src/ipc/protocol.js';
import { startHost } from '../../support/host-harness.js';
import { getHealth, startSupervisorProcess, type SupervisorProcess } from '../../supervisor/support/processes.js';
import type { WaSim } from '../../wa-sim/index.js';

export const TOKEN = 'integration-token-7f3a';

/** Pairs a session once, by QR, with a bare host; its auth is flushed into DATA_DIR on stop. */
export async function pair(sim: WaSim, dataDir: string, sessionId: string, phone: string): Promise<void> {
  const h = startHost({
    sessionId,
    dataDir,
    execArgv: ['--import', sim.preloadPath],
    env: sim.childEnv(),
    init: { waWebsocketUrl: sim.url, logLevel: 'warn' },
  });
  try {
    const qr = await h.waitFor((m): m is QrMessage => m.type === 'qr', 30_000);
    await sim.scan(qr.qr, { phone });
    await h.waitStatus('connected', 30_000);
    const res = await h.request({ type: 'stop' }, 20_000);
    expect(res.ok).toBe(true);
    await h.waitExit(20_000);
  } finally {
    await h.dispose();
  }
}

/** The compiled supervisor in backend mode, with short heartbeat and poll intervals. */
export function startWorker(sim: WaSim, options: { port: number; dataDir: string; env: Record<string, string> }): SupervisorProcess {
  return startSupervisorProcess({
    port: options.port,
    execArgv: ['--import', sim.preloadPath],
    env: {
      ...sim.childEnv(),
      DATA_DIR: options.dataDir,
      WA_WEBSOCKET_URL: sim.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      WORKER_AUTH_TOKEN: TOKEN,
      WORKER_ENDPOINT: `http://127.0.0.1:${options.port}`,
      HEARTBEAT_INTERVAL: '1000',
      HEARTBEAT_TIMEOUT: '900',
      ASSIGNMENT_POLL_INTERVAL: '2000',
      BACKEND_TIMEOUT: '2000',
      HOST_STOP_TIMEOUT_MS: '8000',
      RECOVERY_TIMEOUT: '45000',
      ...options.env,
    },
  });
}

/** Polls `/health` until `test` holds; fails with the supervisor's output when it exits early. */
export async function pollHealth(s: SupervisorProcess, test: (h: Record<string, any>) => boolean, timeoutMs: number, what: string): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, any> | undefined;
  for (;;) {
    last = await getHealth(s.url);
    if (last && test(last)) return last;
    if (s.child.exitCode !== null) throw new Error(`supervisor exited early (${s.child.exitCode}):\n${s.output.join('').slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${what}: health never matched; last ${JSON.stringify(last)}\n${s.output.join('').slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function scrapeMetrics(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  return res.text();
}

/** The body of a recorded call, as a plain record (the fake already validated its shape). */
export function bodyOf(call: { body: unknown }): Record<string, any> {
  return call.body as Record<string, any>;
}
