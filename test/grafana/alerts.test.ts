import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appSeriesNames } from '../../supervisor/metrics/definitions.js';
import { promtool, runPromtool, SKIP_PROMTOOL } from '../support/prometheus/promtool.js';
import { metricNames } from './promql-names.js';

const RULES = 'grafana/alerts.yml';
const RULE_TESTS = 'grafana/alerts.test.yml';
const PROMETHEUS_CONFIG = 'grafana/prometheus/prometheus.yml';

/** `alert:` names and their `expr:` blocks, read from the rule file's simple, fixed layout. */
function alerts(): Array<{ name: string; expr: string }> {
  const text = readFileSync(RULES, 'utf8');
  return [...text.matchAll(/- alert: (\S+)\n\s+expr: (\|\n((?:\s{10,}.*\n)+)|(.*)\n)/g)].map((m) => ({ name: m[1]!, expr: (m[3] ?? m[4] ?? '').trim() }));
}

/** For each alert name in the promtool test file: does some case expect it to fire / to stay silent. */
function testCoverage(): Map<string, { fires: boolean; silent: boolean }> {
  const lines = readFileSync(RULE_TESTS, 'utf8').split('\n');
  const coverage = new Map<string, { fires: boolean; silent: boolean }>();
  lines.forEach((line, i) => {
    const m = /^\s+alertname: (\S+)$/.exec(line);
    if (!m) return;
    const entry = coverage.get(m[1]!) ?? { fires: false, silent: false };
    if (/exp_alerts: \[\]\s*$/.test(lines[i + 1] ?? '')) entry.silent = true;
    else if (/exp_alerts:\s*$/.test(lines[i + 1] ?? '')) entry.fires = true;
    coverage.set(m[1]!, entry);
  });
  return coverage;
}

describe('alert rules', () => {
  it('cover what the issue asks for', () => {
    expect(alerts().map((a) => a.name)).toEqual(expect.arrayContaining([
      'WaRecoveryRateLow', 'WaCrashLoopQuarantine', 'WaHeartbeatsFailing', 'WaLoggedOutBurst', 'WaWorkerDown',
    ]));
  });

  it('have unit tests in which each alert both fires and stays silent', () => {
    const coverage = testCoverage();
    for (const { name } of alerts()) expect(coverage.get(name), name).toEqual({ fires: true, silent: true });
  });

  it('use only metrics the worker exports (plus Prometheus up)', () => {
    const exported = new Set([...appSeriesNames({ perSession: true }), 'up']);
    const used = alerts().flatMap((a) => metricNames(a.expr));
    expect(used.length).toBeGreaterThanOrEqual(alerts().length);
    expect(used.filter((n) => !exported.has(n))).toEqual([]);
  });

  describe.skipIf(SKIP_PROMTOOL)('promtool', () => {
    it('check rules accepts the rule file', () => {
      const run = runPromtool(promtool(), ['check', 'rules', RULES]);
      expect(run.stdout + run.stderr).toContain(`SUCCESS: ${alerts().length} rules found`);
      expect(run.code).toBe(0);
    });

    it('test rules: every alert fires and stays silent where it should', () => {
      const run = runPromtool(promtool(), ['test', 'rules', RULE_TESTS]);
      expect(run.stdout + run.stderr).toContain('SUCCESS');
      expect(run.stdout + run.stderr).not.toContain('FAILED');
      expect(run.code).toBe(0);
    });

    it('check config accepts the example Prometheus configuration', () => {
      const run = runPromtool(promtool(), ['check', 'config', PROMETHEUS_CONFIG]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
    });
  });
});
