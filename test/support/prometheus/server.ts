/**
 * A real Prometheus server (Debian's `prometheus` package, installed by .ci/run with promtool) on
 * loopback, scraping targets listed in a file (file_sd: rewrite it when a worker restarts on a new
 * port) every second and evaluating the given rule file every second. Used to run the dashboard's
 * queries and alert rules against a live worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import { locateExecutable } from './promtool.js';

export const PROMETHEUS_HINT = 'prometheus not found: run test/support/prometheus/install.sh (Debian package "prometheus") or set PROMETHEUS';

export function locatePrometheus(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return locateExecutable('prometheus', 'PROMETHEUS', env);
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  readonly url: string;
  /** Points the scrape job at these `host:port` targets (picked up within about a second). */
  setTargets(targets: string[]): void;
  /** An instant query; rejects when Prometheus refuses it (a bad query is a failure, not empty). */
  query(expr: string): Promise<Sample[]>;
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  close(): Promise<void>;
}

export async function startPrometheus(binary: string, options: { rulesFile: string; job: string }): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'wa-prometheus-'));
  const targetsFile = join(dir, 'targets.json');
  const setTargets = (targets: string[]): void => writeFileSync(targetsFile, JSON.stringify([{ targets, labels: {} }]));
  setTargets([]);
  copyFileSync(options.rulesFile, join(dir, 'rules.yml'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s, scrape_timeout: 900ms }',
      'rule_files: [rules.yml]',
      'scrape_configs:',
      `  - job_name: ${options.job}`,
      '    file_sd_configs: [{ files: [targets.json], refresh_interval: 1s }]',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`prometheus not ready in 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  };
  return {
    url,
    setTargets,
    async query(expr) {
      const data = await api<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    async alerts() {
      return (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>('/api/v1/alerts')).alerts;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
