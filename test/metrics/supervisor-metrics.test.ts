/**
 * Metrics move as the world does, against the real composition root (`startSupervisor`) with real
 * forked fixture hosts: recovery results are counted, live hosts show up with their memory, a
 * killed host's replacement is sampled, and the app registry stays promtool-clean throughout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { startSupervisor, type Supervisor } from '../../supervisor/app.js';
import { attachSessionMetrics } from '../../supervisor/metrics/collector.js';
import { createMetrics, type Metrics } from '../../supervisor/metrics/registry.js';
import { RegistryFile } from '../../supervisor/registry/registry-file.js';
import { quietLogger } from '../supervisor/support/actors.js';
import { fixtureHost } from '../supervisor/support/build.js';
import { waitFor } from '../supervisor/support/journal.js';
import { freePort } from '../supervisor/support/processes.js';
import { promtool, runPromtool, SKIP_PROMTOOL } from '../support/prometheus/promtool.js';
import { valueOf } from './exposition.js';

let dataDir: string;
let sup: Supervisor | undefined;
let metrics: Metrics | undefined;

afterEach(async () => {
  await sup?.close();
  metrics?.close();
  sup = undefined;
  metrics = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

describe('metrics of a running supervisor', () => {
  it('count recovery, sample live hosts, follow a killed host and stay lint-clean', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'metrics-sup-'));
    process.env.FIXTURE_JOURNAL = join(dataDir, 'journal.ndjson');
    const createdAt = new Date().toISOString();
    await new RegistryFile(dataDir).save(['one', 'two', 'three'].map((sessionId) => ({ sessionId, userId: 'u', name: null, createdAt, desired: 'running' as const, ended: null })));
    const config = parseConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'silent', HOST_STOP_TIMEOUT_MS: '500' });
    const s = (sup = await startSupervisor(config, quietLogger, { hostModulePath: fixtureHost('good') }));
    // Recovery has only begun forking hosts when startSupervisor returns, so no result is missed;
    // once app.ts wires metrics itself, this attach moves there, before recovery starts.
    metrics = createMetrics({ perSession: true, workerId: s.workerId, version: s.version });
    attachSessionMetrics(metrics, s.sessions);

    const results = await s.recovered;
    expect(results.map((r) => r.outcome)).toEqual(['recovered', 'recovered', 'recovered']);
    let text = await metrics.appText();
    expect(valueOf(text, 'wa_recovery_attempts_total')).toBe(3);
    expect(valueOf(text, 'wa_recovery_results_total', { result: 'recovered', reason: 'none' })).toBe(3);
    expect(valueOf(text, 'wa_recovery_duration_seconds_count')).toBe(3);
    expect(valueOf(text, 'wa_sessions', { status: 'connected' })).toBe(3);
    for (const id of ['one', 'two', 'three']) expect(valueOf(text, 'wa_host_memory_pss_bytes', { session: id }), id).toBeGreaterThan(1 << 20);

    if (!SKIP_PROMTOOL) {
      const run = runPromtool(promtool(), ['check', 'metrics'], { input: text });
      expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
      expect(run.code).toBe(0);
    }

    // kill -9 one host: the supervisor restarts it at once; the new process is what gets sampled.
    const oldPid = s.sessions.registry.hostPids().get('two')!;
    process.kill(oldPid, 'SIGKILL');
    const newPid = await waitFor(() => {
      const pid = s.sessions.registry.hostPids().get('two');
      return pid !== undefined && pid !== oldPid && s.sessions.registry.status('two').status === 'connected' && pid;
    }, 20_000, 'host two restarted and connected');
    expect(newPid).not.toBe(oldPid);
    text = await metrics.appText();
    expect(valueOf(text, 'wa_sessions', { status: 'connected' })).toBe(3);
    expect(valueOf(text, 'wa_host_memory_pss_bytes', { session: 'two' })).toBeGreaterThan(1 << 20);
    // A restart is not a recovery: the recovery counters did not move.
    expect(valueOf(text, 'wa_recovery_attempts_total')).toBe(3);
  });

  // Pending: the actor (supervisor/actor/session-actor.ts, issue 6) has no metrics hook yet. Once
  // it calls metrics.hostStarted / hostExited(kind) / hostRestarted(reason) / quarantined() (or
  // emits events carrying them), this becomes: kill -9 a host, wait for its new pid, then expect
  // wa_host_exits_total{exit_reason="crash"} and wa_host_restarts_total{reason="crash"} to be 1
  // and wa_host_starts_total to be 4.
  it.todo('kill a host: wa_host_restarts_total{reason="crash"} and wa_host_exits_total{exit_reason="crash"} go up');
});
