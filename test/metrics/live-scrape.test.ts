import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcSampler } from '../../supervisor/proc-stats.js';
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
 * their PSS and CPU come from /proc (the supervisor's ProcSampler) through the scrape-time collector.
 */
describe.skipIf(process.platform !== 'linux')('live scrape with running host processes', () => {
  const hosts = new Map<string, ChildProcess>();
  let app: FastifyInstance;
  let metrics: Metrics;
  let base: string;

  beforeAll(async () => {
    for (const id of ['alice', 'bob', 'carol']) {
      const child = spawn(process.execPath, ['-e', `process.title = 'wa-host:${id}'; const b = Buffer.alloc(8 << 20, 1); setInterval(() => b[0]++, 500);`], { stdio: 'ignore' });
      await once(child, 'spawn');
      hosts.set(id, child);
    }
    metrics = createMetrics({ perSession: true, workerId: 'live-worker', version: '0.1.0' });
    recordRealisticSamples(metrics);
    const sampler = new ProcSampler();
    metrics.setCollector(async () => collectSessions(
      [...hosts.keys()].map((sessionId) => ({ sessionId, status: 'connected' as const })),
      await sampler.sampleAll(new Map([...hosts].map(([id, child]) => [id, child.pid!]))),
    ));
    app = Fastify({ logger: false });
    registerMetricsRoute(app, { metrics });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => setTimeout(r, 300));
  });

  afterAll(async () => {
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
    hosts.delete('bob');
    body = await scrape();
    expect(valueOf(body, 'wa_host_memory_pss_bytes', { session: 'bob' })).toBeUndefined();
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
