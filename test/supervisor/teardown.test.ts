/**
 * A start of the composition root (`startSupervisor`) that fails half-way leaves nothing behind:
 * what it had created is disposed of (supervisor/app.ts runs its disposer stack), so the process
 * carries no timer, socket, thread, open file or host process of the failed start, and the same
 * DATA_DIR starts cleanly afterwards. A full start and stop runs the same stack to the end. The process's own async resources are the witness
 * (node:async_hooks), so nothing is counted that the code could forget to report.
 */
import { createHook } from 'node:async_hooks';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { startSupervisor } from '../../supervisor/app.js';
import { freePort } from '../support/free-port.js';
import { quietLogger } from './support/actors.js';
import { fixtureHost } from './support/build.js';
import { waitFor } from './support/journal.js';
import { sparePids } from './support/processes.js';

let dataDir: string;
let blocker: Server | undefined;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'sup-fail-'));
});
afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * What keeps running until someone stops it: timers, sockets, servers, child processes, threads,
 * watchers. (Finished requests and closed file handles are released only when collected, so they
 * say nothing; open files are checked in /proc/self/fd instead. prom-client's default metrics
 * enable an event-loop delay histogram they never disable: a library limit, not listed.)
 */
const RUNNING = new Set(['Timeout', 'Immediate', 'TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'PROCESSWRAP', 'WORKER', 'MESSAGEPORT', 'UDPWRAP', 'STATWATCHER', 'FSEVENTWRAP', 'SIGNALWRAP', 'TTYWRAP']);

/** The running resources (RUNNING) created while `fn` ran and still alive after it. */
async function leftoversOf(fn: () => Promise<unknown>): Promise<{ result: unknown; live: string[] }> {
  const live = new Map<number, string>();
  let recording = true;
  const hook = createHook({
    init(id, type) {
      if (recording && RUNNING.has(type)) live.set(id, type);
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  let result: unknown;
  try {
    result = await fn().catch((err: unknown) => err);
    recording = false;
    // In-flight file operations of the disposed parts (a storage ping) end on their own.
    await sleep(300);
  } finally {
    hook.disable();
  }
  return { result, live: [...live.values()].sort() };
}

/** Files under DATA_DIR this process still holds open (the outbox database, a log). */
function openFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) out.push(target);
    } catch {
      // closed while listing
    }
  }
  return out;
}

async function occupy(port: number): Promise<void> {
  blocker = createServer();
  blocker.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    blocker!.once('listening', resolve);
    blocker!.once('error', reject);
  });
}

const config = (port: number, env: Record<string, string> = {}) =>
  parseConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'silent', HOST_SPARES: '1', HOST_STOP_TIMEOUT_MS: '500', ...env });

describe('a start that fails half-way', () => {
  it('at listen (the port is taken): everything created before is disposed of, and the next start on that DATA_DIR works', async () => {
    const port = await freePort();
    await occupy(port);
    const { result, live } = await leftoversOf(() => startSupervisor(config(port), quietLogger, { hostModulePath: fixtureHost('good') }));
    expect(result).toMatchObject({ code: 'HTTP_LISTEN_FAILED' });
    expect(live).toEqual([]);
    expect(openFilesIn(dataDir)).toEqual([]);
    expect(sparePids(process.pid)).toEqual([]);

    const again = await startSupervisor(config(await freePort()), quietLogger, { hostModulePath: fixtureHost('good') });
    await again.close();
  });

  it('at the outbox (its database cannot be opened): what came before it is disposed of', async () => {
    mkdirSync(join(dataDir, 'outbox.sqlite')); // a folder where the database file should be
    const port = await freePort();
    const { result, live } = await leftoversOf(() => startSupervisor(config(port, { WEBHOOK_URL: 'http://127.0.0.1:9/hook' }), quietLogger, { hostModulePath: fixtureHost('good') }));
    expect(result).toMatchObject({ code: 'OUTBOX_UNAVAILABLE' });
    expect(live).toEqual([]);
    expect(openFilesIn(dataDir)).toEqual([]);
    expect(sparePids(process.pid)).toEqual([]);
  });

  it('at the backend client (the profile refuses the worker id): what came before it is disposed of', async () => {
    const port = await freePort();
    const { result, live } = await leftoversOf(() =>
      startSupervisor(config(port, { BACKEND_URL: 'http://127.0.0.1:9', BACKEND_PROFILE: 'whatsam', WORKER_ID: 'a.b' }), quietLogger, { hostModulePath: fixtureHost('good') }),
    );
    expect(result).toMatchObject({ code: 'BACKEND_WORKER_ID_INVALID' });
    expect(live).toEqual([]);
    expect(openFilesIn(dataDir)).toEqual([]);
  });
});

describe('a start and a stop', () => {
  it('leave nothing running either: no spare host, the HTTP port free again, no timer or socket', async () => {
    let port = 0;
    const { result, live } = await leftoversOf(async () => {
      const s = await startSupervisor(config(await freePort()), quietLogger, { hostModulePath: fixtureHost('good') });
      port = s.port;
      await waitFor(() => sparePids(process.pid).length === 1 || undefined, 20_000, 'the spare host');
      await s.close();
    });
    expect(result).toBeUndefined();
    expect(live).toEqual([]);
    expect(openFilesIn(dataDir)).toEqual([]);
    expect(sparePids(process.pid)).toEqual([]);
    await occupy(port); // rejects with EADDRINUSE if the supervisor still held it
  });
});
