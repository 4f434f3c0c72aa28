import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostResourceMonitor } from '../../supervisor/host-resources.js';
import { collectSessions } from '../../supervisor/metrics/collector.js';
import { createMetrics, type Metrics } from '../../supervisor/metrics/registry.js';
import { registerMetricsRoute } from '../../supervisor/metrics/route.js';
import { promtool, runPromtool, SKIP_PROMTOOL } from '../support/prometheus/promtool.js';
import { valueOf } from './exposition.js';
import { recordRealisticSamples } from './samples.js';

/** Keeps only the `wa_` metric families of a scrape: the part promtool lints. */
function appFamilies(body: string): string {
  return body.split(/(?=^# HELP )/m).filter((block) => block.startsWith('# HELP wa_')).join('');
}

/**
 * A scrape over a real socket while real child processes (standing in for session hosts) run:
 * their PSS and CPU come from /proc through the supervisor's background HostResourceMonitor (the
 * shortest period it allows, 1 s) and the scrape-time collector.
 */
describe.skipIf(process.platform !== 'linux')('live scrape with running host processes', () => {
  const hosts = new Map<string, ChildProcess>();
  let app: FastifyInstance;
  let metrics: Metrics;
  let base: string;
  let monitor: HostResourceMonitor;

  /** A host counts as connected while its process runs (what the registry learns from its exit). */
  const running = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

  beforeAll(async () => {
    for (const id of ['alice', 'bob', 'carol']) {
      const child = spawn(process.execPath, ['-e', `process.title = 'wa-host:${id}'; const b = Buffer.alloc(8 << 20, 1); setInterval(() => b[0]++, 500);`], { stdio: 'ignore' });
      await once(child, 'spawn');
      hosts.set(id, child);
    }
    metrics = createMetrics({ perSession: true, workerId: 'live-worker', version: '0.1.0' });
    recordRealisticSamples(metrics);
    // The pid map never changes: a killed host stays in the monitor's input, so only the
    // monitor's own /proc pass can drop it.
    const pids = new Map([...hosts].map(([id, child]) => [id, child.pid!]));
    monitor = new HostResourceMonitor(() => pids, 1_000);
    monitor.start();
    await monitor.sampleNow();
    metrics.setCollector(() => Promise.resolve(collectSessions(
      [...hosts].map(([sessionId, child]) => ({ sessionId, status: running(child) ? 'connected' as const : 'reconnecting' as const })),
      monitor.current(),
    )));
    app = Fastify({ logger: false });
    registerMetricsRoute(app, { metrics });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(async () => {
    monitor?.stop();
    for (const child of hosts.values()) child.kill('SIGKILL');
    await app?.close();
    metrics?.close();
  });

  async function scrape(): Promise<string> {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  }

  it('reports every live host and drops a killed one', async () => {
    let body = await scrape();
    for (const id of hosts.keys()) expect(valueOf(body, 'wa_host_memory_pss_bytes', { session: id }), id).toBeGreaterThan(1 << 20);
    expect(valueOf(body, 'wa_sessions', { status: 'connected' })).toBe(3);

    const bob = hosts.get('bob')!;
    bob.kill('SIGKILL');
    await once(bob, 'exit');
    // The next background pass finds no /proc entry for bob's pid and drops him.
    await expect.poll(async () => valueOf(await scrape(), 'wa_host_memory_pss_bytes', { session: 'bob' }), { timeout: 5_000, interval: 250 }).toBeUndefined();
    body = await scrape();
    expect(valueOf(body, 'wa_host_memory_pss_bytes', { session: 'alice' })).toBeGreaterThan(1 << 20);
    expect(valueOf(body, 'wa_sessions', { status: 'connected' })).toBe(2);
  });

  it.skipIf(SKIP_PROMTOOL)('promtool check metrics passes on the app families of the scrape', async () => {
    const body = await scrape();
    const app = appFamilies(body);
    expect(app).toContain('wa_host_cpu_seconds_total{session="alice"');
    const run = runPromtool(promtool(), ['check', 'metrics'], { input: app });
    expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
    expect(run.code).toBe(0);
  });
});
