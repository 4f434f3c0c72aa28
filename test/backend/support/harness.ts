import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from '../../../src/logger.js';
import { parseConfig } from '../../../src/config/index.js';
import { resolveWorkerId } from '../../../src/worker-id.js';
import { createBackendIntegration, type BackendIntegration } from '../../../supervisor/backend/index.js';
import { createOutbox, type EventOutbox } from '../../../supervisor/outbox/index.js';
import { MemoryDirectory } from './fake-directory.js';

export const TOKEN = 'test-token-123';

/** Retry timings short enough for tests; the code paths are the production ones. */
export const FAST = {
  registerRetryMinMs: 50,
  registerRetryMaxMs: 200,
  eventRetryMinMs: 50,
  eventRetryMaxMs: 200,
  reportRetries: 5,
  reportRetryMinMs: 50,
  reportRetryMaxMs: 200,
  assignmentRetryMinMs: 50,
  flushTimeoutMs: 1000,
};

export interface TestWorker {
  integration: BackendIntegration;
  /** The durable outbox the supervisor would build on this integration (events → webhooks). */
  outbox: EventOutbox;
  directory: MemoryDirectory;
  workerId: string;
  /** Stops the integration and closes the outbox (what is pending stays in dataDir). */
  stop(): Promise<void>;
}

export async function makeWorker(opts: {
  url: string;
  profile: 'seed' | 'whatsam';
  dataDir: string;
  env?: Record<string, string>;
  directory?: MemoryDirectory;
  /** WORKER_ENDPOINT as the backend is told it (default: a port nothing listens on). */
  endpoint?: string;
  /** Receives every log line as an object (default: none). */
  logLines?: Record<string, unknown>[];
}): Promise<TestWorker> {
  const config = parseConfig({
    BACKEND_URL: opts.url,
    BACKEND_PROFILE: opts.profile,
    WORKER_AUTH_TOKEN: TOKEN,
    DATA_DIR: opts.dataDir,
    HEARTBEAT_INTERVAL: '1000',
    HEARTBEAT_TIMEOUT: '500',
    ASSIGNMENT_POLL_INTERVAL: '1000',
    BACKEND_TIMEOUT: '1000',
    WORKER_VERSION: '1.2.3',
    ...opts.env,
  });
  const { workerId } = await resolveWorkerId(config.dataDir, config.workerId);
  const directory = opts.directory ?? new MemoryDirectory();
  const integration = createBackendIntegration({
    config,
    logger: opts.logLines ? capturingLogger(opts.logLines) : pino({ level: 'silent' }),
    directory,
    workerId,
    endpoint: opts.endpoint ?? 'http://127.0.0.1:3999',
    environment: 'test',
    timing: FAST,
  });
  if (!integration) throw new Error('expected backend mode');
  const outbox = createOutbox({ config, dataDir: config.dataDir, logger: pino({ level: 'silent' }), workerId, version: '1.2.3', backend: integration });
  outbox.attach((l) => directory.onEvent(l));
  outbox.start();
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await outbox.close(FAST.flushTimeoutMs);
      await integration.stop();
    })());
  return { integration, outbox, directory, workerId, stop };
}

/** A real pino logger (redaction and levels as in production) writing parsed lines into `lines`. */
export function capturingLogger(lines: Record<string, unknown>[]): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
}

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'wa-backend-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Polls a condition (for effects that have no event to await, e.g. the directory's call log). */
export async function until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
