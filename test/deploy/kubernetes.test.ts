/**
 * deploy/kubernetes/: the committed YAML is exactly what deploy/kubernetes/*.ts renders, every
 * object validates against the Kubernetes OpenAPI schema (kubernetes-models), the configuration
 * names only variables the worker reads, the pod's deadlines cover the hosts' stop deadlines, and
 * the PrometheusRule carries grafana/alerts.yml unchanged (and promtool accepts it).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { configMap, HOST_STOP_TIMEOUT_MS, SECRET_KEYS, statefulSet, TERMINATION_GRACE_SECONDS } from '../../deploy/kubernetes/manifests.js';
import { renderKubernetes } from '../../deploy/kubernetes/render.js';
import { ALL_VARIABLES, parseConfig } from '../../src/config/index.js';
import { promtool, runPromtool, SKIP_PROMTOOL } from '../support/prometheus/promtool.js';

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes');
const rendered = renderKubernetes();
const committed = (file: string): unknown => parse(readFileSync(join(DIR, file), 'utf8'));

describe('deploy/kubernetes', () => {
  it('is current: every committed file is what `npm run deploy:build` writes', () => {
    for (const [file, text] of rendered) expect(readFileSync(join(DIR, file), 'utf8'), `${file} is stale: npm run deploy:build`).toBe(text);
    const kustomization = committed('kustomization.yaml') as { resources: string[] };
    expect(kustomization.resources.sort()).toEqual([...rendered.keys()].filter((f) => f !== 'kustomization.yaml').sort());
  });

  it('validates against the Kubernetes schemas, and the validation has teeth', () => {
    // renderKubernetes() validated each object; a wrong type must be refused the same way.
    const broken = statefulSet();
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(() => broken.validate()).toThrow();
  });

  it('configures the worker only with variables it reads, and the ConfigMap parses as a config', () => {
    const data = configMap().data!;
    for (const name of [...Object.keys(data), ...SECRET_KEYS, 'WORKER_ID', 'WORKER_ENDPOINT']) expect(ALL_VARIABLES, name).toContain(name);
    expect(() => parseConfig({ ...data, WORKER_AUTH_TOKEN: 't', WORKER_ID: 'wa-gateway-worker-0', WORKER_ENDPOINT: 'http://w:3001' })).not.toThrow();
  });

  it('gives each worker a stable id from its pod name, its own volume, probes and a grace period above the hosts’ stop deadlines', () => {
    const sts = committed('statefulset.yaml') as ReturnType<typeof statefulSet>;
    const pod = sts.spec!.template.spec!;
    const c = pod.containers[0]!;
    expect(c.env).toEqual(expect.arrayContaining([{ name: 'WORKER_ID', value: '$(POD_NAME)' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]));
    expect(sts.spec!.volumeClaimTemplates![0]!.metadata!.name).toBe('data');
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(configMap().data!.DATA_DIR).toBe('/data');
    expect(c.livenessProbe!.httpGet!.path).toBe('/live');
    expect(c.readinessProbe!.httpGet!.path).toBe('/ready');
    // IPC stop, then SIGTERM after HOST_STOP_TIMEOUT_MS, then SIGKILL after it again: all inside the grace period.
    expect(pod.terminationGracePeriodSeconds).toBe(TERMINATION_GRACE_SECONDS);
    expect(TERMINATION_GRACE_SECONDS * 1000).toBeGreaterThan(2 * HOST_STOP_TIMEOUT_MS + 10_000);
    expect(Number(configMap().data!.HOST_STOP_TIMEOUT_MS)).toBe(HOST_STOP_TIMEOUT_MS);
    expect(c.resources!.requests!.memory).toMatch(/^\d+Mi$/);
    expect((committed('service.yaml') as { spec: { clusterIP: string } }).spec.clusterIP).toBe('None');
  });

  it('ships grafana/alerts.yml unchanged as a PrometheusRule', () => {
    const alerts = parse(readFileSync(join(DIR, '..', '..', 'grafana', 'alerts.yml'), 'utf8')) as { groups: unknown[] };
    const rule = committed('prometheusrule.yaml') as { kind: string; spec: { groups: unknown[] } };
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.spec.groups).toEqual(alerts.groups);
  });

  it.skipIf(SKIP_PROMTOOL)('has rules promtool accepts', () => {
    const rule = committed('prometheusrule.yaml') as { spec: { groups: unknown[] } };
    const file = join(mkdtempSync(join(tmpdir(), 'wa-k8s-rules-')), 'rules.yml');
    writeFileSync(file, stringify({ groups: rule.spec.groups }));
    const run = runPromtool(promtool(), ['check', 'rules', file]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
