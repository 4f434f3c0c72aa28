import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS_DIR_RELATIVE, dashboardPanels, dashboardTargets } from './dashboard-json.js';
import { deriveDashboardSchema, grafanaSchemaVersion } from '../../grafana/schema/dashboard-schema.js';
import { renderDashboards } from '../../grafana/render.js';
import { appSeriesNames } from '../../supervisor/metrics/definitions.js';
import { createMetrics } from '../../supervisor/metrics/registry.js';
import { promtool, runPromtool, SKIP_PROMTOOL } from '../support/prometheus/promtool.js';
import { metricNames, substituteGrafanaVariables } from './promql-names.js';

const rendered = renderDashboards();
const [fileName, text] = [...rendered][0]!;
const dashboard = JSON.parse(text) as Record<string, unknown>;

describe('generated dashboard', () => {
  it('is committed up to date (npm run grafana:build)', () => {
    for (const [name, json] of rendered) expect(readFileSync(join(DASHBOARDS_DIR_RELATIVE, name), 'utf8'), name).toBe(json);
  });

  describe('JSON Schema derived from @grafana/schema', () => {
    let validate: ValidateFunction;
    beforeAll(() => {
      const schema = deriveDashboardSchema();
      validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    });

    it(`validates against @grafana/schema ${grafanaSchemaVersion()}`, () => {
      const ok = validate(dashboard);
      expect(validate.errors ?? [], fileName).toEqual([]);
      expect(ok).toBe(true);
    });

    it('is a real check: a wrong type, a misspelt field or a missing schemaVersion fail', () => {
      const wrongType = structuredClone(dashboard) as { panels: Array<{ gridPos: { w: unknown } }> };
      wrongType.panels[1]!.gridPos.w = 'wide';
      expect(validate(wrongType)).toBe(false);
      expect(validate({ ...dashboard, refesh: '30s' })).toBe(false);
      const { schemaVersion: _drop, ...noVersion } = dashboard;
      expect(validate(noVersion)).toBe(false);
    });
  });

  it('has a worker variable fed by the worker info metric', () => {
    const variables = (dashboard.templating as { list: Array<{ name: string; query: unknown; includeAll?: boolean; multi?: boolean }> }).list;
    const worker = variables.find((v) => v.name === 'worker');
    expect(worker).toBeDefined();
    expect(worker!.includeAll && worker!.multi).toBe(true);
    expect(JSON.stringify(worker!.query)).toContain('label_values(wa_worker_info, worker)');
  });

  it('answers the operator questions of the issue', () => {
    const titles = dashboardPanels(dashboard).map((p) => p.title);
    for (const wanted of [
      /Recovery rate/, /Sessions by status/, /Restarts and quarantines/, /Recovery and boot latency/, /Top hosts by memory/,
      /Heartbeat and backend errors/, /Storage errors/, /Message throughput/,
    ]) expect(titles.some((t) => wanted.test(t)), String(wanted)).toBe(true);
    const latency = dashboardTargets(dashboard).filter((t) => t.panel === 'Recovery and boot latency').map((t) => t.expr);
    expect(latency.some((e) => e.startsWith('histogram_quantile(0.5,'))).toBe(true);
    expect(latency.some((e) => e.startsWith('histogram_quantile(0.95,'))).toBe(true);
  });

  it('filters every query by the worker variable and queries the datasource variable', () => {
    for (const t of dashboardTargets(dashboard)) {
      expect(t.expr, t.panel).toContain('worker=~"$worker"');
      expect(t.datasource, t.panel).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('uses only metrics the worker exports', async () => {
    const m = createMetrics({ perSession: true });
    const processNames = (await m.process.metrics()).match(/^# TYPE (\S+)/gm)!.map((l) => l.slice(7));
    m.close();
    const exported = new Set([...appSeriesNames({ perSession: true }), ...processNames]);
    const used = new Set(dashboardTargets(dashboard).flatMap((t) => metricNames(t.expr)));
    used.add('wa_worker_info'); // the worker variable's label_values() source
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
  });

  describe.skipIf(SKIP_PROMTOOL)('PromQL', () => {
    let dir: string;
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'wa-dashboard-promql-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    // Each panel query becomes a recording rule; `promtool check rules` parses every expression.
    function checkRules(exprs: string[]): ReturnType<typeof runPromtool> {
      const rules = exprs.map((expr, i) => `      - record: wa:dashboard_query_${i}\n        expr: ${JSON.stringify(expr)}`).join('\n');
      const file = join(dir, `rules-${Math.random().toString(36).slice(2)}.yml`);
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}\n`);
      return runPromtool(promtool(), ['check', 'rules', file]);
    }

    it('every panel query parses with promtool', () => {
      const exprs = dashboardTargets(dashboard).map((t) => substituteGrafanaVariables(t.expr));
      expect(exprs.length).toBeGreaterThan(20);
      const run = checkRules(exprs);
      expect(run.stderr + run.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
      expect(run.code).toBe(0);
    });

    it('is a real check: a broken query fails', () => {
      const run = checkRules(['sum by (status (wa_sessions)']);
      expect(run.code).not.toBe(0);
    });
  });
});
