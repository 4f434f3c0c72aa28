/**
 * What `kill -9` → connected could be with a warm spare: a session host forked ahead of time
 * (Baileys and the storage client already imported, waiting for `init`) that is handed the
 * session only when needed. Measured on copies of real auth folders after the worker stopped
 * (a second live copy of a device would replace the first): `init` sent → `connected`.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WaSim } from '../../test/wa-sim/index.js';
import { startHost } from '../../test/support/host-harness.js';
import { trackChild } from './children.js';
import { sleep } from './wait.js';

export async function measureWarmHosts(sim: WaSim, dataDir: string, sessionIds: readonly string[], options: { importWaitMs: number; nodeFlags?: readonly string[] }): Promise<number[]> {
  const copy = mkdtempSync(join(tmpdir(), 'wa-bench-warm-'));
  const out: number[] = [];
  try {
    for (const id of sessionIds) {
      cpSync(join(dataDir, 'sessions', id), join(copy, 'sessions', id), { recursive: true });
      const host = startHost({
        sessionId: id,
        dataDir: copy,
        sendInit: false,
        execArgv: [...(options.nodeFlags ?? []), '--import', sim.preloadPath],
        env: sim.childEnv(),
        init: { waWebsocketUrl: sim.url, logLevel: 'warn' },
      });
      trackChild(host.child);
      try {
        await sleep(options.importWaitMs); // the spare's imports finish while it waits
        const started = Date.now();
        host.sendInit();
        await host.waitStatus('connected', 30_000);
        out.push(Date.now() - started);
      } finally {
        await host.dispose();
      }
    }
    return out;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
