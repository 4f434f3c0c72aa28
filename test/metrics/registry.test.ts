import { afterEach, describe, expect, it } from 'vitest';
import { appMetricNames, METRICS } from '../../supervisor/metrics/definitions.js';
import { createMetrics, type Metrics } from '../../supervisor/metrics/registry.js';
import { promtool, runPromtool, SKIP_PROMTOOL } from '../support/prometheus/promtool.js';
import { declaredNames, parseExposition, valueOf } from './exposition.js';
import { recordRealisticSamples } from './samples.js';

const open: Metrics[] = [];
function metrics(perSession = true): Metrics {
  const m = createMetrics({ perSession, workerId: 'worker-1', version: '0.1.0' });
  open.push(m);
  return m;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

describe('app registry', () => {
  it('declares every metric of the definitions table, and only wa_ metrics', async () => {
    const text = await metrics().appText();
    expect(declaredNames(text).sort()).toEqual(appMetricNames({ perSession: true }).sort());
    for (const name of declaredNames(text)) expect(name).toMatch(/^wa_[a-z0-9_]+$/);
  });

  it('follows the naming conventions: _total exactly on counters, base units only', () => {
    for (const def of Object.values(METRICS)) {
      expect(def.name.endsWith('_total'), def.name).toBe(def.kind === 'counter');
      expect(def.name, def.name).not.toMatch(/_(milliseconds|ms|kilobytes|megabytes|percent)(_|$)/);
    }
  });

  it('labels every series with the worker id', async () => {
    const m = metrics();
    recordRealisticSamples(m);
    for (const s of parseExposition(await m.appText())) expect(s.labels.worker, s.name).toBe('worker-1');
  });

  it('counts what happened, with bounded labels', async () => {
    const m = metrics();
    recordRealisticSamples(m);
    m.hostRestarted('crash');
    const text = await m.appText();
    expect(valueOf(text, 'wa_host_starts_total')).toBe(4);
    expect(valueOf(text, 'wa_host_restarts_total', { reason: 'crash' })).toBe(2);
    expect(valueOf(text, 'wa_host_restarts_total', { reason: 'unresponsive' })).toBe(0);
    expect(valueOf(text, 'wa_host_exits_total', { exit_reason: 'logged_out' })).toBe(1);
    expect(valueOf(text, 'wa_recovery_attempts_total')).toBe(3);
    expect(valueOf(text, 'wa_recovery_results_total', { result: 'recovered', reason: 'none' })).toBe(2);
    expect(valueOf(text, 'wa_recovery_results_total', { result: 'failed', reason: 'no_auth' })).toBe(1);
    expect(valueOf(text, 'wa_recovery_duration_seconds_count')).toBe(2);
    expect(valueOf(text, 'wa_recovery_duration_seconds_bucket', { le: '2' })).toBe(1);
    expect(valueOf(text, 'wa_socket_reconnects_total', { close_code: '428' })).toBe(2);
    expect(valueOf(text, 'wa_heartbeats_total', { result: 'timeout' })).toBe(1);
    expect(valueOf(text, 'wa_backend_request_duration_seconds_count', { route: 'heartbeat', status: 'timeout' })).toBe(1);
    expect(valueOf(text, 'wa_storage_failures_total', { op: 'upload', code: 'STORAGE_TIMEOUT' })).toBe(1);
    expect(valueOf(text, 'wa_storage_bytes_total', { op: 'download' })).toBe(18_432);
    expect(valueOf(text, 'wa_messages_total', { direction: 'in', type: 'text', result: 'ok' })).toBe(4);
    expect(valueOf(text, 'wa_ipc_send_backpressure_total')).toBe(1);
  });

  it('fills gauges from the collector at scrape time, once per scrape', async () => {
    const m = metrics();
    let calls = 0;
    let hosts = [{ sessionId: 'a', pssBytes: 100, cpuSeconds: 1 }, { sessionId: 'b', pssBytes: 50, cpuSeconds: 2 }];
    m.setCollector(() => {
      calls += 1;
      return { sessionsByStatus: { connected: 2, failed: 1 }, hosts };
    });
    let text = await m.appText();
    expect(calls).toBe(1);
    expect(valueOf(text, 'wa_sessions', { status: 'connected' })).toBe(2);
    expect(valueOf(text, 'wa_sessions', { status: 'failed' })).toBe(1);
    expect(valueOf(text, 'wa_sessions', { status: 'reconnecting' })).toBe(0);
    expect(valueOf(text, 'wa_host_memory_pss_bytes', { session: 'b' })).toBe(50);
    expect(valueOf(text, 'wa_hosts_memory_pss_bytes')).toBe(150);

    // Host b exits, a keeps running and burns more CPU: b's series disappear, a's CPU is absolute.
    hosts = [{ sessionId: 'a', pssBytes: 120, cpuSeconds: 3.5 }];
    text = await m.appText();
    expect(calls).toBe(2);
    expect(valueOf(text, 'wa_host_memory_pss_bytes', { session: 'b' })).toBeUndefined();
    expect(valueOf(text, 'wa_host_cpu_seconds_total', { session: 'b' })).toBeUndefined();
    expect(valueOf(text, 'wa_host_cpu_seconds_total', { session: 'a' })).toBe(3.5);
    expect(valueOf(text, 'wa_hosts_memory_pss_bytes')).toBe(120);
  });

  it('shows the spare pool at scrape time and counts session host starts by source (spare or fresh fork)', async () => {
    const m = metrics();
    let text = await m.appText();
    // Born at 0, before the pool reports and before the first start (alerts and increase() see them).
    expect(valueOf(text, 'wa_spare_hosts', { state: 'ready' })).toBe(0);
    expect(valueOf(text, 'wa_spare_hosts', { state: 'booting' })).toBe(0);
    expect(valueOf(text, 'wa_host_starts_by_source_total', { source: 'spare' })).toBe(0);
    expect(valueOf(text, 'wa_host_starts_by_source_total', { source: 'fork' })).toBe(0);
    m.hostStarted('a', 'fork');
    m.hostStarted('b', 'spare');
    m.hostStarted('c', 'spare');
    let pool = { wanted: 2, ready: 1, booting: 1 };
    m.setCollector(() => ({ spares: pool }));
    text = await m.appText();
    expect(valueOf(text, 'wa_spare_hosts', { state: 'ready' })).toBe(1);
    expect(valueOf(text, 'wa_spare_hosts', { state: 'booting' })).toBe(1);
    expect(valueOf(text, 'wa_spare_hosts_wanted')).toBe(2);
    expect(valueOf(text, 'wa_host_starts_by_source_total', { source: 'spare' })).toBe(2);
    expect(valueOf(text, 'wa_host_starts_by_source_total', { source: 'fork' })).toBe(1);
    expect(valueOf(text, 'wa_host_starts_total')).toBe(3);
    pool = { wanted: 2, ready: 2, booting: 0 };
    text = await m.appText();
    expect(valueOf(text, 'wa_spare_hosts', { state: 'ready' })).toBe(2);
    expect(valueOf(text, 'wa_spare_hosts', { state: 'booting' })).toBe(0);
  });

  it('setHostResources / removeHost manage one host without a collector', async () => {
    const m = metrics();
    m.setHostResources('a', 10, 1);
    m.setHostResources('a', 12, 4);
    let text = await m.appText();
    expect(valueOf(text, 'wa_host_cpu_seconds_total', { session: 'a' })).toBe(4);
    expect(valueOf(text, 'wa_host_memory_pss_bytes', { session: 'a' })).toBe(12);
    m.removeHost('a');
    text = await m.appText();
    expect(valueOf(text, 'wa_host_memory_pss_bytes', { session: 'a' })).toBeUndefined();
  });

  it('drops the session label entirely when METRICS_PER_SESSION=false', async () => {
    const m = metrics(false);
    recordRealisticSamples(m);
    m.setHostResources('zed', 1, 1);
    const text = await m.appText();
    expect(text).not.toContain('session=');
    expect(declaredNames(text)).not.toContain('wa_host_memory_pss_bytes');
    expect(declaredNames(text)).not.toContain('wa_host_cpu_seconds_total');
    expect(valueOf(text, 'wa_hosts_memory_pss_bytes')).toBe(159_500_000);
  });

  it('ignores impossible durations instead of corrupting histograms', async () => {
    const m = metrics();
    m.observeHostBoot(Number.NaN);
    m.observeHostBoot(-1);
    m.observeRecoveryDuration(Number.POSITIVE_INFINITY);
    const text = await m.appText();
    expect(valueOf(text, 'wa_host_boot_duration_seconds_count')).toBe(0);
    expect(valueOf(text, 'wa_recovery_duration_seconds_count')).toBe(0);
  });

  it('reports supervisor event loop lag', async () => {
    const m = metrics();
    await m.appText();
    const until = Date.now() + 150;
    while (Date.now() < until) { /* block the loop on purpose */ }
    await new Promise((r) => setTimeout(r, 30));
    const text = await m.appText();
    expect(valueOf(text, 'wa_supervisor_event_loop_lag_max_seconds')).toBeGreaterThan(0.05);
  });

  it('serves app and default process metrics together', async () => {
    const m = metrics();
    const scrape = await m.scrape();
    expect(scrape.contentType).toMatch(/^text\/plain/);
    expect(scrape.body).toContain('# TYPE wa_sessions gauge');
    expect(scrape.body).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(scrape.body).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
    expect(() => parseExposition(scrape.body)).not.toThrow();
  });
});

describe.skipIf(SKIP_PROMTOOL)('promtool check metrics', () => {
  it('passes on the app registry with realistic samples, per-session on and off', async () => {
    for (const perSession of [true, false]) {
      const m = metrics(perSession);
      recordRealisticSamples(m);
      const run = runPromtool(promtool(), ['check', 'metrics'], { input: await m.appText() });
      expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
      expect(run.code).toBe(0);
    }
  });

  it('is a real check: it rejects a badly named metric', () => {
    const bad = '# HELP wa_lag_ms lag\n# TYPE wa_lag_ms gauge\nwa_lag_ms 3\n# HELP wa_things_total x\n# TYPE wa_things_total gauge\nwa_things_total 1\n';
    const run = runPromtool(promtool(), ['check', 'metrics'], { input: bad });
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/non-counter metrics should not have "_total" suffix/);
  });
});
